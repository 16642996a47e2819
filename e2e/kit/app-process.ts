import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplyState, ConnectionState } from '../../preload/contract';
import type { BondSpec } from '../../preload/contract/bond-spec';
import type { LabHostStatus } from '../lab/lab';
import { createServices } from '../../main/services/services';

// The app's services in a process of their own, so a test can kill it (SIGKILL: no dispose, no
// goodbye to the box) while a change waits for confirmation. Run as a script, it connects to one
// lab host, plans and applies one change, prints the apply's state as one JSON line once it waits
// for confirmation (or finished), and then waits to be killed.

export interface AppProcessJob {
  readonly host: LabHostStatus;
  readonly spec: BondSpec;
  readonly checkinTimeoutSeconds: number;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts the app process; resolves with its apply's state and the child, still running. */
export function startAppProcess(job: AppProcessJob, timeoutMs = 180_000): Promise<{ child: ChildProcess; state: ApplyState }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app process did not reach a decision point in ${timeoutMs} ms; it printed: ${out.slice(-500)}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve({ child, state: JSON.parse(line) as ApplyState });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the app process ended (${code ?? signal}) before its apply waited: ${out.slice(-500)}`));
    });
  });
}

function waitFor<T>(subscribe: (listener: (value: T) => void) => () => void, want: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((value) => {
      if (!want(value)) return;
      off();
      resolve(value);
    });
  });
}

async function runJob(job: AppProcessJob): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-app-process-'));
  const services = createServices({ dataDir, mode: 'browser', version: 'test', cipher: null, userKnownHosts: [], allowVirtualMembers: true });
  const sessionStates = (listener: (s: ConnectionState) => void) => services.events.subscribe((event, payload) => event === 'session.state' && listener(payload as ConnectionState));
  const h = job.host;
  const id = (await services.hosts.add({ label: h.name, address: '127.0.0.1', port: h.ssh.port, user: 'root', auth: { kind: 'key', keyPath: h.keyPath }, jumpHostId: null, tags: [], useSudo: false })).id;
  const contact = waitFor(sessionStates, (s) => s.hostId === id && (s.state === 'awaiting-trust' || s.state === 'ready'));
  await services.sessions.connect(id);
  const first = await contact;
  if (first.state === 'awaiting-trust') {
    const ready = waitFor(sessionStates, (s) => s.hostId === id && s.state === 'ready');
    await services.sessions.trust(id, first.hostKey?.fingerprint ?? '');
    await ready;
  }
  const { plan, fieldErrors } = await services.bonds.plan({ hostId: id, action: 'create', spec: job.spec, bondName: null, checkinTimeoutSeconds: job.checkinTimeoutSeconds });
  if (!plan) throw new Error(`no plan: ${JSON.stringify(fieldErrors)}`);
  const applyStates = (listener: (s: ApplyState) => void) => services.events.subscribe((event, payload) => event === 'apply.state' && listener(payload as ApplyState));
  const settled = waitFor(applyStates, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished');
  await services.bonds.apply(plan.planId, false);
  console.log(JSON.stringify(await settled));
  // Wait to be killed: the app holds its sessions open, as a running app would.
  setInterval(() => undefined, 60_000);
}

if (process.argv[1] === SELF) {
  runJob(JSON.parse(process.argv[2] ?? '{}') as AppProcessJob).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
