import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from '../lab/lab';
import type { ConnectionState } from '../../preload/contract';
import { createServices, type Services } from '../../main/services/services';
import { startFleet, type Fleet } from '../bench/fleet-servers';
import { recordCell } from './matrix';

// The fault matrix's fleet row: 50 real sshd servers on loopback (the fleet benchmark's kit, each
// answering discovery with a captured Linux or TrueNAS inventory), of which one refuses connections
// (its sshd stopped: the port is closed) and one is silent (a listener that accepts TCP and never
// says a word, as a hung box or a black-holing firewall does). The app connects to all 50 at once and
// discovers the 48 others; the dead and silent hosts must be reported within a bound and never hold
// the others up. Needs root (sshd logs in as root); describeLab's rule does not apply (no lab).

const HOSTS = 50;
const DEAD = 17;
const SILENT = 33;
/** The app's SSH handshake timeout is 20 s (main/ssh/host-session.ts); a loaded machine adds some. */
const SILENT_BOUND_S = 40;
const DEAD_BOUND_S = 10;

let work: string;
let fleet: Fleet;
let silent: Server;
const silentSockets: Socket[] = [];
let services: Services;
let silentPort = 0;

function listenSilently(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      silentSockets.push(socket);
      socket.on('error', () => undefined);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

// No lab hosts here, but the same needs (root, openssh-server) and the same rule: skip with the reason, fail on CI.
const wanted = process.env.BONDSMITH_FAULTS?.split(',').map((s) => s.trim()) ?? null;

// BONDSMITH_FAULTS without fleet-dead-silent: nothing of this file runs (passWithNoTests).
(wanted === null || wanted.includes('fleet-dead-silent') ? describeLab : () => undefined)('fault matrix: one dead and one silent host among 50', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'bs-faults-fleet-'));
    fleet = await startFleet(HOSTS, work);
    const silentListener = await listenSilently();
    silent = silentListener.server;
    const dataDir = join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    services = createServices({ dataDir, mode: 'browser', version: 'faults', cipher: null, userKnownHosts: [], allowVirtualMembers: true });
    // Bondsmith's own known_hosts: every server's key (the silent one never shows one).
    copyFileSync(fleet.knownHostsFile, join(dataDir, 'known_hosts'));
    // The dead host: its sshd is stopped, so its port refuses.
    const dead = fleet.servers[DEAD - 1];
    if (!dead) throw new Error('fleet too small');
    await fleet.stopServer(DEAD - 1);
    silentPort = silentListener.port;
  }, 240_000);
  afterAll(async () => {
    await services?.dispose();
    for (const s of silentSockets) s.destroy();
    silent?.close();
    await fleet?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('1 of 50 hosts dead and 1 silent: the 48 others discover and refresh, the two are reported within a bound', async () => {
    const ids: string[] = [];
    const roles = new Map<string, 'dead' | 'silent' | 'ok'>();
    for (const [i, s] of fleet.servers.entries()) {
      const n = i + 1;
      const port = n === SILENT ? silentPort : s.port;
      const host = await services.hosts.add({ label: s.name, address: '127.0.0.1', port, user: 'root', auth: { kind: 'key', keyPath: s.keyPath }, jumpHostId: null, tags: [], useSudo: false });
      ids.push(host.id);
      roles.set(host.id, n === DEAD ? 'dead' : n === SILENT ? 'silent' : 'ok');
    }
    const settledAt = new Map<string, { at: number; state: ConnectionState }>();
    const off = services.events.subscribe((event, payload) => {
      if (event !== 'session.state') return;
      const s = payload as ConnectionState;
      if (settledAt.has(s.hostId) || !['ready', 'failed', 'reconnecting', 'awaiting-trust'].includes(s.state)) return;
      settledAt.set(s.hostId, { at: Date.now(), state: s });
    });
    const t0 = Date.now();
    await Promise.all(ids.map((id) => services.sessions.connect(id)));
    const okIds = ids.filter((id) => roles.get(id) === 'ok');
    // The 48 are used as soon as they are ready: discovery of each, parsed, while the silent one hangs.
    const discovered = await Promise.all(
      okIds.map(async (id) => {
        await untilSettled(settledAt, id, 120_000);
        const r = await services.sessions.refresh(id);
        return { id, at: Date.now(), ok: r.error === null && (r.facts?.interfaces.length ?? 0) > 0 };
      }),
    );
    const othersDone = (Math.max(...discovered.map((d) => d.at)) - t0) / 1000;
    const refreshT0 = Date.now();
    const warm = await Promise.all(okIds.map((id) => services.sessions.refresh(id)));
    const warmSeconds = (Date.now() - refreshT0) / 1000;
    const deadId = ids[DEAD - 1] ?? '';
    const silentId = ids[SILENT - 1] ?? '';
    await untilSettled(settledAt, deadId, 60_000);
    await untilSettled(settledAt, silentId, 90_000);
    off();
    const dead = settledAt.get(deadId);
    const quiet = settledAt.get(silentId);
    const deadS = dead ? (dead.at - t0) / 1000 : Infinity;
    const silentS = quiet ? (quiet.at - t0) / 1000 : Infinity;
    const readyCount = okIds.filter((id) => settledAt.get(id)?.state.state === 'ready').length;
    const discoveredCount = discovered.filter((d) => d.ok).length;
    const warmOk = warm.filter((r) => r.error === null).length;
    const note =
      `${readyCount}/48 ready, ${discoveredCount}/48 discovered, all 48 done ${othersDone.toFixed(1)} s after connect; warm refresh of the 48 ${warmOk}/48 in ${warmSeconds.toFixed(1)} s; ` +
      `dead: ${dead?.state.state ?? 'never reported'} ${dead?.state.reason?.code ?? ''} after ${deadS.toFixed(1)} s (bound ${DEAD_BOUND_S} s); ` +
      `silent: ${quiet?.state.state ?? 'never reported'} ${quiet?.state.reason?.code ?? ''} "${quiet?.state.reason?.message.slice(0, 100) ?? ''}" after ${silentS.toFixed(1)} s (bound ${SILENT_BOUND_S} s)`;
    const ok = readyCount === 48 && discoveredCount === 48 && warmOk === 48 && deadS <= DEAD_BOUND_S && silentS <= SILENT_BOUND_S && dead?.state.state !== 'ready' && quiet?.state.state !== 'ready' && othersDone < silentS;
    recordCell({ fault: 'fleet-dead-silent', driver: 'loopback sshd', outcome: ok ? 'ok' : 'cell failed', seconds: Math.max(deadS, silentS), note });
    expect(ok, note).toBe(true);
  });
});

function untilSettled(settledAt: Map<string, unknown>, id: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const look = (): void => {
      if (settledAt.has(id)) return resolve();
      if (Date.now() > end) return reject(new Error(`host ${id} reported nothing in ${timeoutMs} ms`));
      setTimeout(look, 50);
    };
    look();
  });
}
