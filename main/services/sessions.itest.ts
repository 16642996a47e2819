import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labExec, labUp, type LabStatus } from '../../e2e/lab/lab';
import type { ConnectionState, HostInput } from '../../preload/contract';
import { createServices, type Services } from './services';

// Sessions and discovery against real lab hosts of both flavors, beside hosts that cannot answer.

const LAB = 'it-sessions';
let lab: LabStatus;
let services: Services;
let silent: Server;
let dataDir: string;

function waitForState(hostId: string, want: (s: ConnectionState) => boolean, timeoutMs = 60_000): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const now = services.sessions.states().find((s) => s.hostId === hostId);
    if (now && want(now)) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`host ${hostId} did not reach the expected state; last: ${JSON.stringify(services.sessions.states().find((s) => s.hostId === hostId))}`));
    }, timeoutMs);
    const off = services.events.subscribe((event, payload) => {
      if (event !== 'session.state') return;
      const s = payload as ConnectionState;
      if (s.hostId === hostId && want(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

async function addHost(label: string, port: number, user: string, keyPath: string): Promise<string> {
  const input: HostInput = { label, address: '127.0.0.1', port, user, auth: { kind: 'key', keyPath }, jumpHostId: null, tags: [], useSudo: user !== 'root' };
  return (await services.hosts.add(input)).id;
}

describeLab('sessions and discovery on lab hosts', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'] });
    dataDir = await mkdtemp(join(tmpdir(), 'bs-sessions-'));
    services = createServices({ dataDir, mode: 'browser', version: 'test', cipher: null, userKnownHosts: [] });
    // A "host" that accepts TCP and then never says a word: connecting to it must not hold up the others.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await services?.dispose();
    silent?.close();
    await labDown(LAB);
  });

  it('connects to many hosts in parallel: good ones get ready while a dead and a silent one fail on their own', async () => {
    const [nas1, nas2] = lab.hosts;
    if (!nas1 || !nas2) throw new Error('lab has fewer than 2 hosts');
    const good1 = await addHost('nas1', nas1.ssh.port, 'root', nas1.keyPath);
    const good2 = await addHost('nas2', nas2.ssh.port, 'admin', nas2.keyPath);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.address() as { port: number }).port;
        probe.close(() => resolve(port));
      });
    });
    const dead = await addHost('dead', closedPort, 'root', nas1.keyPath);
    const mute = await addHost('mute', (silent.address() as { port: number }).port, 'root', nas1.keyPath);

    const started = Date.now();
    await Promise.all([good1, good2, dead, mute].map((id) => services.sessions.connect(id)));
    const refused = await waitForState(dead, (s) => s.state === 'failed');
    expect(refused.reason?.code).toBe('REFUSED');
    for (const id of [good1, good2]) {
      const s = await waitForState(id, (x) => x.state === 'awaiting-trust');
      await services.sessions.trust(id, s.hostKey?.fingerprint ?? '');
    }
    await Promise.all([waitForState(good1, (s) => s.state === 'ready'), waitForState(good2, (s) => s.state === 'ready')]);
    const readyAfter = Date.now() - started;
    // The silent host is still waiting for a banner while both good hosts are already usable.
    expect(services.sessions.states().find((s) => s.hostId === mute)?.state).toBe('connecting');
    console.log(`two lab hosts ready in ${readyAfter} ms while a silent host was still connecting`);

    const [r1, r2] = await Promise.all([services.sessions.refresh(good1), services.sessions.refresh(good2)]);
    console.log(`discovery: nas1 (linux, root) ${r1.durationMs} ms, nas2 (truenas, admin) ${r2.durationMs} ms`);
    for (const r of [r1, r2]) {
      expect(r.error).toBeNull();
      const names = r.facts?.interfaces.map((i) => i.name) ?? [];
      expect(names).toEqual(expect.arrayContaining(['ens3', 'eno1', 'eno2', 'eno3', 'eno4']));
      expect(r.facts?.management.nic).toBe('ens3');
      expect(r.facts?.interfaces.find((i) => i.name === 'ens3')?.isManagement).toBe(true);
    }
    expect(r1.facts?.os.kind).toBe('linux');
    expect(r2.facts?.os.kind).toBe('truenas');
    expect(r2.facts?.middleware?.pendingChanges).toBe(false);

    const timedOut = await waitForState(mute, (s) => s.state === 'failed', 60_000);
    expect(timedOut.reason?.code).toMatch(/TIMEOUT/);
  });

  it('shows LACP detail that matches /proc/net/bonding on the host', async () => {
    const id = services.sessions.states().find((s) => s.state === 'ready')?.hostId;
    if (!id) throw new Error('no ready host');
    const built = await labExec('nas1', 'ip link add bond7 type bond mode 802.3ad lacp_rate fast miimon 100 && ip link set eno1 down && ip link set eno1 master bond7 && ip link set eno2 down && ip link set eno2 master bond7 && ip link set bond7 up', {}, LAB);
    expect(built.code, built.stderr).toBe(0);
    const nas1 = lab.hosts[0];
    let partner: string | null = null;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await services.sessions.refresh(id);
      const bond = r.facts?.bonds.find((b) => b.name === 'bond7');
      partner = bond?.lacp?.activeAggregator?.partnerMac ?? null;
      // The aggregator forms before both ports reach collecting/distributing: wait for the whole state.
      if (partner === nas1?.switch.mac && bond?.members.every((m) => m.aggregatorId === bond.lacp?.activeAggregator?.id) && bond.diagnosis.some((d) => d.code === 'lacp-ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(partner).toBe(nas1?.switch.mac);
    const proc = await labExec('nas1', 'cat /proc/net/bonding/bond7', {}, LAB);
    const r = await services.sessions.refresh(id);
    const bond = r.facts?.bonds.find((b) => b.name === 'bond7');
    const aggId = /Active Aggregator Info:\s*\n\s*Aggregator ID: (\d+)/.exec(proc.stdout)?.[1];
    expect(String(bond?.lacp?.activeAggregator?.id)).toBe(aggId);
    expect(bond?.diagnosis.map((d) => d.code)).toContain('lacp-ok');
    await labExec('nas1', 'ip link del bond7', {}, LAB);
  });

  it('refuses a known host whose key changed, naming both fingerprints', async () => {
    const nas1 = lab.hosts[0];
    if (!nas1) throw new Error('no nas1');
    const id = await addHost('nas1-again', nas1.ssh.port, 'root', nas1.keyPath);
    // Record a different ed25519 key for this host in the app's store, as if the box had been replaced.
    const other = join(dataDir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const pub = (await readFile(`${other}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    const store = join(dataDir, 'known_hosts');
    const kept = (await readFile(store, 'utf8')).split('\n').filter((l) => !l.startsWith(`[127.0.0.1]:${nas1.ssh.port} ssh-ed25519`));
    await writeFile(store, `${[...kept, `[127.0.0.1]:${nas1.ssh.port} ${pub}`].filter((l) => l !== '').join('\n')}\n`);
    await services.sessions.connect(id);
    const refused = await waitForState(id, (s) => s.state === 'failed' || s.state === 'ready');
    expect(refused.state).toBe('failed');
    expect(refused.reason?.code).toBe('HOST_KEY_CHANGED');
    expect(refused.hostKey?.knownFingerprint).toMatch(/^SHA256:/);
    expect(refused.hostKey?.fingerprint).not.toBe(refused.hostKey?.knownFingerprint);
    await expect(services.sessions.trust(id, refused.hostKey?.fingerprint ?? '')).rejects.toThrow();
  });

});
