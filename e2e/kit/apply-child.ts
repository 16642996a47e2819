import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplyState, ConnectionState } from '../../preload/contract';
import type { BondSpec } from '../../preload/contract/bond-spec';
import { createServices } from '../../main/services/services';

// The app as its own process, for tests that kill it: the same services a user drives, started on a
// data directory, adding a lab host, planning and applying one change, then reporting the moment it
// waits for Keep or Revert ("AWAITING <apply state>") and staying alive until it is killed. The test
// then sends SIGKILL, as a crash or a force-quit would: nothing of the app runs after that.

export interface ApplyChildInput {
  readonly dataDir: string;
  readonly host: { readonly label: string; readonly port: number; readonly keyPath: string; readonly user: 'root' | 'admin' };
  readonly action: 'create' | 'update' | 'delete';
  readonly spec: BondSpec | null;
  readonly bondName: string | null;
  readonly checkinTimeoutSeconds: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Starts the child; resolves with it and its apply state once the change waits on the box. */
export function startApplyChild(input: ApplyChildInput, timeoutMs = 150_000): Promise<{ child: ChildProcess; state: ApplyState }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'apply-child.ts')], {
    env: { ...process.env, BONDSMITH_APPLY_CHILD: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app process did not reach the countdown in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const line = /^AWAITING (.+)$/m.exec(out);
      if (line?.[1]) {
        clearTimeout(deadline);
        resolve({ child, state: JSON.parse(line[1]) as ApplyState });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      reject(new Error(`the app process ended (${signal ?? code}) before the countdown:\n${out}`));
    });
  });
}

/** SIGKILL, and resolves once the process is gone. */
export function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function runChild(input: ApplyChildInput): Promise<void> {
  const services = createServices({ dataDir: input.dataDir, mode: 'browser', version: 'test', cipher: null, userKnownHosts: [], allowVirtualMembers: true });
  const states = new Map<string, ConnectionState>();
  const waiters: (() => void)[] = [];
  services.events.subscribe((event, payload) => {
    if (event === 'session.state') states.set((payload as ConnectionState).hostId, payload as ConnectionState);
    if (event === 'apply.state') {
      const s = payload as ApplyState;
      if (s.phase === 'awaiting-confirmation') console.log(`AWAITING ${JSON.stringify(s)}`);
      if (s.phase === 'finished') {
        // Ended before the countdown (refused, failed): nothing to kill, the test hears why.
        console.log(`FINISHED ${JSON.stringify(s)}`);
        process.exit(3);
      }
    }
    for (const w of waiters.splice(0)) w();
  });
  const until = async (ok: () => boolean): Promise<void> => {
    while (!ok()) await new Promise<void>((r) => waiters.push(r));
  };
  const { id } = await services.hosts.add({
    label: input.host.label,
    address: '127.0.0.1',
    port: input.host.port,
    user: input.host.user,
    auth: { kind: 'key', keyPath: input.host.keyPath },
    jumpHostId: null,
    tags: [],
    useSudo: input.host.user !== 'root',
  });
  await services.sessions.connect(id);
  await until(() => ['awaiting-trust', 'ready', 'failed'].includes(states.get(id)?.state ?? ''));
  const first = states.get(id);
  if (first?.state === 'awaiting-trust') await services.sessions.trust(id, first.hostKey?.fingerprint ?? '');
  await until(() => ['ready', 'failed'].includes(states.get(id)?.state ?? ''));
  if (states.get(id)?.state !== 'ready') throw new Error(`could not connect: ${JSON.stringify(states.get(id))}`);
  const { plan, fieldErrors } = await services.bonds.plan({ hostId: id, action: input.action, spec: input.spec, bondName: input.bondName, checkinTimeoutSeconds: input.checkinTimeoutSeconds });
  if (!plan) throw new Error(`no plan: ${JSON.stringify(fieldErrors)}`);
  await services.bonds.apply(plan.planId, false);
}

const raw = process.env.BONDSMITH_APPLY_CHILD;
if (raw && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runChild(JSON.parse(raw) as ApplyChildInput).catch((err: unknown) => {
    console.error(`apply child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}
