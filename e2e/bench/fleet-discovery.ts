import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { labDown, labUp } from '../lab/lab';
import { ensureAnsible, benchAnsible } from './ansible-methods';
import { BenchError, formatTable, machineLine, unavailable, type MethodResult } from './bench-kit';
import { benchBondsmith, type BondsmithHost } from './bondsmith-methods';
import { opensshControlMaster, opensshParallel, opensshSequential } from './openssh-methods';

// Time to collect the full interface/bond inventory of every host of a fleet: Bondsmith's services
// against the OpenSSH client and Ansible, on the same lab hosts, with the same remote command.
// Run as root (the lab needs it):
//   npx tsx e2e/bench/fleet-discovery.ts [--hosts N] [--rounds R] [--ansible-rounds A] [--full-setup]
// An Ansible run costs 15-45 s on the lab (python starts slowly in a UML guest), so its warm rows
// take 1 round unless --ansible-rounds says otherwise, and the setup row gathers the network subset
// unless --full-setup: a default run then stays near 5 minutes.
// See e2e/bench/README.md for what each row includes and figures measured so far.

const LAB = 'bench';
const MAX_HOSTS = 20;
const MAX_ROUNDS = 50;

function wholeNumber(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BenchError('USAGE', `${flag} must be a whole number from 1 to ${max} (got "${raw}")`);
  return n;
}

function options(): { hosts: number; rounds: number; ansibleRounds: number; fullSetup: boolean } {
  const { values } = parseArgs({ options: { hosts: { type: 'string' }, rounds: { type: 'string' }, 'ansible-rounds': { type: 'string' }, 'full-setup': { type: 'boolean' } } });
  return {
    hosts: wholeNumber('--hosts', values.hosts, 3, MAX_HOSTS),
    rounds: wholeNumber('--rounds', values.rounds, 5, MAX_ROUNDS),
    ansibleRounds: wholeNumber('--ansible-rounds', values['ansible-rounds'], 1, MAX_ROUNDS),
    fullSetup: values['full-setup'] ?? false,
  };
}

async function stage<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`- ${label}...`);
  const value = await fn();
  console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

async function main(): Promise<void> {
  const { hosts: count, rounds, ansibleRounds, fullSetup } = options();
  const startedAt = new Date();
  console.log(`fleet discovery benchmark, ${startedAt.toISOString()}: ${count} lab host(s), ${rounds} round(s) per method (Ansible warm rows: ${ansibleRounds})`);
  console.log(machineLine());
  const ansible = await stage('checking for ansible', ensureAnsible);
  console.log(ansible.ok ? `ansible: ${ansible.detail}` : `ansible: not available (${ansible.detail})`);

  const work = mkdtempSync(join(tmpdir(), 'bs-bench-'));
  const rows: MethodResult[] = [];
  try {
    const lab = await stage(`booting lab '${LAB}' with ${count} linux host(s)`, () => labUp({ name: LAB, hosts: count, flavors: 'linux' }));
    const hosts: BondsmithHost[] = lab.hosts.map((h) => {
      if (h.knownHostsLine === undefined) throw new BenchError('LAB_HOST_KEY', `the lab has no host key for ${h.name}`);
      return { name: h.name, port: h.ssh.port, keyPath: h.keyPath, knownHostsLine: h.knownHostsLine };
    });
    console.log(`lab up: ${hosts.map((h) => `${h.name} 127.0.0.1:${h.port}`).join(', ')}; boot ${lab.hosts.map((h) => `${h.bootSeconds ?? '?'} s`).join(', ')}`);
    console.log(`after boot: ${machineLine()}`);

    try {
      const b = await stage('Bondsmith (cold, then warm)', () => benchBondsmith(hosts, rounds, join(work, 'bondsmith')));
      rows.push(b.cold, b.warm);
    } catch (err) {
      rows.push(unavailable('Bondsmith', 'createServices + sessions', err));
    }
    for (const [label, fn] of [
      ['OpenSSH sequential', () => opensshSequential(hosts, rounds)],
      ['OpenSSH parallel', () => opensshParallel(hosts, rounds)],
      ['OpenSSH ControlMaster warm, parallel', () => opensshControlMaster(hosts, rounds, work)],
    ] as const) {
      try {
        rows.push(await stage(label, fn));
      } catch (err) {
        rows.push(unavailable(label, 'ssh', err));
      }
    }
    if (ansible.ok) rows.push(...(await stage('Ansible', () => benchAnsible(hosts, ansibleRounds, join(work, 'ansible'), fullSetup))));
    else rows.push(unavailable('Ansible', 'ansible ad-hoc', new Error(ansible.detail)));
  } finally {
    await stage(`tearing down lab '${LAB}'`, () => labDown(LAB)).catch((err: unknown) => console.error(`lab teardown failed: ${String(err)}`));
    rmSync(work, { recursive: true, force: true });
  }

  console.log('');
  console.log(`Time to collect the full interface/bond inventory of all ${count} host(s) (wall clock, seconds; "x warm" = median / Bondsmith warm median)`);
  console.log(formatTable(rows, 'Bondsmith warm'));
  console.log(`at end: ${machineLine()}; total ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
}

// Ctrl-C or a kill skips `finally`: tear the lab down here too, so no guest outlives the run.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: tearing down lab '${LAB}'`);
    labDown(LAB)
      .catch((err: unknown) => console.error(`lab teardown failed: ${String(err)}`))
      .finally(() => process.exit(130));
  });
}

main().catch((err: unknown) => {
  const code = err instanceof BenchError ? err.code : 'BENCH';
  console.error(`fleet-discovery failed [${code}]: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
