import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ConnectionState, DiscoveryResult } from '../../preload/contract';
import { createServices, type Services } from '../../main/services/services';
import type { FleetServer } from './fleet-servers';

// Bondsmith's main-process services against the fleet, in a process of their own (forked by
// fleet-sshd.ts), so its memory, CPU time and event-loop delay are Bondsmith's alone: the app's main
// process holds exactly this (services, one session per host, the latest discovery results).

export interface WorkerSpec {
  readonly servers: readonly FleetServer[];
  readonly knownHostsFile: string;
  readonly dataDir: string;
  readonly rounds: number;
  /** Handshakes in flight at once (ServiceOptions.maxConcurrentHandshakes); null: the app's default. */
  readonly handshakeLimit: number | null;
}

export interface WorkerResult {
  /** P1: connect all (handshake, host key checked against known_hosts, key auth), then one discovery refresh each, parsed. */
  readonly cold: number[];
  /** P2: sessions open; one discovery refresh per host, all at once, parsed. */
  readonly warm: number[];
  /** Process CPU (user + system) of each cold round. */
  readonly cpuSeconds: number[];
  /** Event-loop delay while the connections start: p99 of each cold round's connect phase, its worst, and the largest delay seen. */
  readonly loopP99PerRoundMs: number[];
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  /** With every session open and the latest results held, after the last warm round. */
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** Peak resident set over the worker's life. */
  readonly maxRssMb: number;
  /** Before the first connect (services created, hosts added). */
  readonly baselineRssMb: number;
}

const MB = 1024 * 1024;

function readyAll(services: Services, ids: readonly string[], timeoutMs: number): Promise<void> {
  const waiting = new Set(ids);
  return new Promise((resolve, reject) => {
    let off = (): void => undefined;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${waiting.size} host(s) were not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const see = (s: ConnectionState): void => {
      if (!waiting.has(s.hostId)) return;
      if (s.state === 'failed' || s.state === 'awaiting-trust') {
        clearTimeout(timer);
        off();
        reject(new Error(`host ${s.hostId} ended in ${s.state}: ${s.reason?.code ?? ''} ${s.reason?.message ?? ''}`));
        return;
      }
      if (s.state !== 'ready') return;
      waiting.delete(s.hostId);
      if (waiting.size > 0) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    off = services.events.subscribe((event, payload) => {
      if (event === 'session.state') see(payload as ConnectionState);
    });
    for (const s of services.sessions.states()) see(s);
  });
}

function check(results: readonly DiscoveryResult[], servers: readonly FleetServer[]): void {
  results.forEach((r, i) => {
    const server = servers[i];
    if (r.error !== null || !r.facts || r.facts.interfaces.length === 0 || r.facts.os.kind !== server?.os) {
      throw new Error(`${server?.name ?? r.hostId}: discovery failed: ${r.error ? `${r.error.code} ${r.error.message}` : `os ${r.facts?.os.kind ?? '?'}, ${r.facts?.interfaces.length ?? 0} interfaces`}`);
    }
  });
}

async function run(spec: WorkerSpec): Promise<WorkerResult> {
  mkdirSync(spec.dataDir, { recursive: true });
  copyFileSync(spec.knownHostsFile, join(spec.dataDir, 'known_hosts'));
  const services = createServices({
    dataDir: spec.dataDir,
    mode: 'browser',
    version: 'bench',
    cipher: null,
    userKnownHosts: [],
    ...(spec.handshakeLimit === null ? {} : { maxConcurrentHandshakes: spec.handshakeLimit }),
  });
  try {
    const ids: string[] = [];
    for (const s of spec.servers) {
      const host = await services.hosts.add({ label: s.name, address: '127.0.0.1', port: s.port, user: 'root', auth: { kind: 'key', keyPath: s.keyPath }, jumpHostId: null, tags: [], useSudo: false });
      ids.push(host.id);
    }
    const refreshAll = async (): Promise<void> => check(await Promise.all(ids.map((id) => services.sessions.refresh(id))), spec.servers);
    const baselineRssMb = process.memoryUsage().rss / MB;
    const loopP99: number[] = [];
    let loopMax = 0;
    const cold: number[] = [];
    const cpuSeconds: number[] = [];
    for (let round = 0; round < spec.rounds; round++) {
      if (round > 0) {
        await Promise.all(ids.map((id) => services.sessions.disconnect(id)));
        await sshdSessionsGone(5000); // the servers' session processes exit before the next cold round
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      // A new histogram each round: one enabled again would count the pause since disable() as a delay.
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      await Promise.all(ids.map((id) => services.sessions.connect(id)));
      await readyAll(services, ids, 180_000);
      loop.disable();
      loopP99.push(loop.percentile(99) / 1e6);
      loopMax = Math.max(loopMax, loop.max / 1e6);
      await refreshAll();
      cold.push((performance.now() - t0) / 1000);
      const cpu = process.cpuUsage(cpu0);
      cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    }
    const warm: number[] = [];
    for (let round = 0; round < spec.rounds; round++) {
      const t0 = performance.now();
      await refreshAll();
      warm.push((performance.now() - t0) / 1000);
    }
    const mem = process.memoryUsage();
    return {
      cold,
      warm,
      cpuSeconds,
      loopP99PerRoundMs: loopP99,
      loopP99Ms: Math.max(...loopP99),
      loopMaxMs: loopMax,
      rssMb: mem.rss / MB,
      heapUsedMb: mem.heapUsed / MB,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      baselineRssMb,
    };
  } finally {
    await services.dispose();
  }
}

process.once('message', (spec: WorkerSpec) => {
  run(spec)
    .then((result) => process.send?.({ ok: true, result }))
    .catch((err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? err.message : String(err) }))
    .finally(() => process.disconnect?.());
});

/** Waits (at most `timeoutMs`) until no sshd session process ("sshd: <user>@notty") is left on this machine. */
async function sshdSessionsGone(timeoutMs: number): Promise<void> {
  const count = (): number =>
    readdirSync('/proc').filter((p) => {
      if (!/^\d+$/.test(p)) return false;
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sshd: ') && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('@');
      } catch {
        return false;
      }
    }).length;
  const end = Date.now() + timeoutMs;
  while (count() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
