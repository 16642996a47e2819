import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostFactsSchema } from '../../preload/contract';
import { DISCOVERY_COMMAND, DISCOVERY_SCRIPT } from './discovery-script';
import { parseDiscovery } from './parse-discovery';

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });

describe('DISCOVERY_SCRIPT', () => {
  it('survives single quoting in any login shell: no quote, backslash or history "!"', () => {
    expect(DISCOVERY_SCRIPT).not.toMatch(/['\\!]/);
    expect(DISCOVERY_COMMAND.startsWith("sh -c '")).toBe(true);
  });

  it('passes `sh -n`', () => {
    const r = spawnSync('sh', ['-n'], { input: DISCOVERY_SCRIPT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs on this machine and parses into a valid inventory', () => {
    const r = run('sh', ['-c', DISCOVERY_SCRIPT], { SSH_CONNECTION: '127.0.0.1 40000 127.0.0.1 22' });
    expect(r.status).toBe(0);
    const facts = parseDiscovery(r.stdout, { collectedAt: '2025-01-01T00:00:00.000Z' });
    if (!facts.ok) throw new Error(facts.error.message);
    const f = facts.value;
    expect(() => hostFactsSchema.parse(f)).not.toThrow();
    expect(f.hostname).toBe(hostname());
    expect(f.os.kind).toBe('linux');
    expect(f.os.kernel).toBe(spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim());
    expect(f.interfaces.find((i) => i.name === 'lo')?.kind).toBe('loopback');
    expect(f.management).toEqual({ nic: 'lo', address: '127.0.0.1', clientAddress: '127.0.0.1' });
    // This machine has no bonding driver loaded: the no-bond path.
    const procBonds = existsSync('/proc/net/bonding') ? readdirSync('/proc/net/bonding').length : 0;
    expect(f.bonds).toHaveLength(procBonds);
    expect(f.middleware).toBeNull();
    expect(f.warnings.filter((w) => !w.includes('default route'))).toEqual([]);
  });

  it('runs the same through bash -c with DISCOVERY_COMMAND, as an SSH exec would', () => {
    const r = run('bash', ['-c', DISCOVERY_COMMAND]);
    expect(r.status).toBe(0);
    const facts = parseDiscovery(r.stdout, { collectedAt: 'now' });
    expect(facts.ok && facts.value.interfaces.length).toBeGreaterThan(0);
    expect(facts.ok && facts.value.management.nic).toBeNull();
  });

  const canDropRoot = process.getuid?.() === 0 && spawnSync('runuser', ['--help']).status === 0;
  it.skipIf(!canDropRoot)('works for a non-root account (runuser to nobody; needs root to run)', () => {
    const r = run('runuser', ['-u', 'nobody', '--', 'sh', '-c', DISCOVERY_SCRIPT]);
    expect(r.status).toBe(0);
    const facts = parseDiscovery(r.stdout, { collectedAt: 'now' });
    if (!facts.ok) throw new Error(facts.error.message);
    expect(r.stdout).toMatch(/\nuid=65534\n/);
    expect(facts.value.interfaces.some((i) => i.kind === 'loopback')).toBe(true);
  });
});
