import type { ApplyState, ConnectionState, HostInput } from '../../preload/contract';
import type { BondSpec } from '../../preload/contract/bond-spec';
import { createServices, type Services } from '../../main/services/services';

// The app as a process of its own, for the faults that kill it (SIGKILL, no chance to clean up):
// the same main services Electron and browser mode run, driven as the UI drives them. It connects to
// one lab host (trusting its key on first contact, into this data directory's known_hosts), plans and
// applies one change, and says `awaiting` with the apply once the box waits for confirmation. Then,
// with `then: 'write-hosts'`, it keeps writing its own host list (add, then rename, one atomic write
// each) until it is killed, so the kill lands inside one of its own file writes.
// Started by fault-cells.ts: node --import tsx e2e/faults/app-process.ts, spec over IPC.

export interface AppProcessSpec {
  readonly dataDir: string;
  readonly host: { readonly label: string; readonly port: number; readonly keyPath: string; readonly user: 'root' | 'admin' };
  readonly spec: BondSpec;
  readonly windowSeconds: number;
  readonly then: 'wait' | 'write-hosts';
}

export type AppProcessMessage =
  | { readonly kind: 'awaiting'; readonly hostId: string; readonly applyId: string; readonly runId: string }
  | { readonly kind: 'writing'; readonly writes: number }
  | { readonly kind: 'finished-early'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** The apply ended before the box waited for confirmation (the kill it is for cannot happen). */
class FinishedEarly extends Error {}

function send(message: AppProcessMessage): void {
  process.send?.(message);
}

function sessionReaches(services: Services, hostId: string, want: (s: ConnectionState) => boolean): Promise<ConnectionState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host ${hostId} did not connect in 90 s`)), 90_000);
    const see = (s: ConnectionState): void => {
      if (s.hostId !== hostId || !want(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    };
    const off = services.events.subscribe((event, payload) => {
      if (event === 'session.state') see(payload as ConnectionState);
    });
    for (const s of services.sessions.states()) see(s);
  });
}

function applyWaits(services: Services, applyId: string): Promise<ApplyState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apply ${applyId} did not reach awaiting-confirmation in 150 s`)), 150_000);
    const see = (s: ApplyState): void => {
      if (s.applyId !== applyId || (s.phase !== 'awaiting-confirmation' && s.phase !== 'finished')) return;
      clearTimeout(timer);
      off();
      if (s.phase === 'finished') reject(new FinishedEarly(`${s.result ?? ''}: ${s.message}`));
      else resolve(s);
    };
    const off = services.events.subscribe((event, payload) => {
      if (event === 'apply.state') see(payload as ApplyState);
    });
    for (const s of services.bonds.applies().applies) see(s);
  });
}

async function writeHostsUntilKilled(services: Services): Promise<never> {
  let writes = 0;
  const filler = (n: number): HostInput => ({ label: `filler-${n}`, address: '127.0.0.1', port: 9, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: ['filler'], useSudo: false });
  const ids: string[] = [];
  for (let n = 0; n < 200; n++) {
    ids.push((await services.hosts.add(filler(n))).id);
    writes++;
    if (writes === 1) send({ kind: 'writing', writes });
  }
  for (let round = 0; ; round++) {
    const id = ids[round % ids.length] ?? '';
    await services.hosts.update(id, filler(1000 + round));
    writes++;
  }
}

async function run(spec: AppProcessSpec): Promise<void> {
  const services = createServices({ dataDir: spec.dataDir, mode: 'browser', version: 'faults', cipher: null, userKnownHosts: [], allowVirtualMembers: true });
  const input: HostInput = { label: spec.host.label, address: '127.0.0.1', port: spec.host.port, user: spec.host.user, auth: { kind: 'key', keyPath: spec.host.keyPath }, jumpHostId: null, tags: [], useSudo: spec.host.user !== 'root' };
  const hostId = (await services.hosts.add(input)).id;
  await services.sessions.connect(hostId);
  const s = await sessionReaches(services, hostId, (x) => x.state === 'awaiting-trust' || x.state === 'ready');
  if (s.state === 'awaiting-trust') await services.sessions.trust(hostId, s.hostKey?.fingerprint ?? '');
  await sessionReaches(services, hostId, (x) => x.state === 'ready');
  const { plan, fieldErrors } = await services.bonds.plan({ hostId, action: 'create', spec: spec.spec, bondName: null, checkinTimeoutSeconds: spec.windowSeconds });
  if (!plan) throw new Error(`no plan: ${JSON.stringify(fieldErrors)}`);
  const started = await services.bonds.apply(plan.planId, false);
  await applyWaits(services, started.applyId);
  // The plan is kept on disk as the apply starts; wait for its record (bounded).
  let runs = await services.inflight.list();
  for (let i = 0; i < 200 && runs.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    runs = await services.inflight.list();
  }
  const runId = runs[0] ?? '';
  send({ kind: 'awaiting', hostId, applyId: started.applyId, runId });
  if (spec.then === 'write-hosts') await writeHostsUntilKilled(services);
  // 'wait': stay up, sessions open, until the test kills this process.
}

process.once('message', (spec: AppProcessSpec) => {
  run(spec).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    send(err instanceof FinishedEarly ? { kind: 'finished-early', message } : { kind: 'error', message });
    process.exitCode = 1;
    process.disconnect?.();
  });
});
