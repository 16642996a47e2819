import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labCut, labReboot, labRestore, type LabHostStatus } from '../lab/lab';
import type { ApplyState } from '../../preload/contract';
import type { PendingOnBox } from '../../preload/contract/host-view';
import type { BondSpec } from '../../preload/contract/bond-spec';
import { bondSpec, describe as describeApply, makeKit, waitForApply, waitForSession, type Kit } from '../kit/apply-kit';
import type { AppProcessMessage, AppProcessSpec } from './app-process';
import { settledBox, type BondUnderTest, type BoxState, type Outcome } from './box-state';
import { dropConnections } from './connection-drop';
import type { FaultId } from './matrix';

// One fault on one lab host, driven through the app's services as the UI drives them; the box's end
// state is read over the control path (box-state.ts). Each cell leaves the host as it found it: no
// bond of its own, cables plugged, the app's session ready.

export interface CellHost {
  readonly lab: string;
  readonly host: LabHostStatus;
  readonly user: 'root' | 'admin';
  /** The app of the matrix file (the cells that kill an app start one of their own). */
  readonly kit: Kit;
  readonly hostId: string;
}

export interface CellRun {
  readonly outcome: Outcome;
  readonly seconds: number;
  readonly note: string;
  readonly box: BoxState;
}

/**
 * The change never reached the point where the fault goes in (the apply failed before it): the cell
 * did not run. What the box is left in is still checked by the caller.
 */
export class NoWindow extends Error {
  constructor(
    readonly cell: BondUnderTest,
    readonly appMessage: string,
  ) {
    super(`the apply finished before the fault could be injected: ${appMessage}`);
  }
}

const APP_PROCESS = fileURLToPath(new URL('./app-process.ts', import.meta.url));
/** Beyond the window: the box's own rollback fires at its end; allow for a slow, loaded lab. */
const SETTLE_MARGIN_MS = 90_000;

const failover = (name: string, alias: string): BondSpec => bondSpec({ name, protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: alias, prefix: 24 }] });
const underTest = (spec: BondSpec, mgmtMoves = false): BondUnderTest => ({ bond: spec.name, members: spec.members, mgmtMoves });

function seconds(t0: number): number {
  return (Date.now() - t0) / 1000;
}

async function planOf(kit: Kit, hostId: string, spec: BondSpec, windowSeconds: number) {
  const { plan, fieldErrors } = await kit.services.bonds.plan({ hostId, action: 'create', spec, bondName: null, checkinTimeoutSeconds: windowSeconds });
  if (!plan) throw new Error(`no plan for ${spec.name}: ${JSON.stringify(fieldErrors)}`);
  return plan;
}

function appSaid(s: ApplyState): string {
  return `app: ${s.result ?? s.phase} (${s.message.slice(0, 140)})`;
}

/**
 * The app's result must say what the box did: confirmed = new config confirmed; kept-unconfirmed =
 * the new config stayed without a confirmation (told, with a revert offered); anything else = old.
 */
function agrees(s: ApplyState, box: BoxState): boolean {
  if (box.outcome === 'stranded') return false;
  if (s.result === 'kept-unconfirmed') return box.outcome === 'confirmed-new';
  return (s.result === 'confirmed') === (box.outcome === 'confirmed-new');
}

/** The cell's outcome: the box's, named kept-unconfirmed where the app says so; stranded where the two disagree. */
function judged(s: ApplyState, box: BoxState): BoxState {
  if (!agrees(s, box)) return { ...box, outcome: 'stranded' };
  return s.result === 'kept-unconfirmed' ? { ...box, outcome: 'kept-unconfirmed' } : box;
}

/** Takes the cell's bond off again through the app (the next cell starts from the old config). */
async function removeBond(kit: Kit, hostId: string, bondName: string): Promise<void> {
  // Right after a box's reboot the app's session can read ready and then drop once more while the box
  // finishes coming up ("Connect to the host first"): wait for it again, a bounded number of times.
  let planned: Awaited<ReturnType<Kit['services']['bonds']['plan']>> | null = null;
  for (let attempt = 1; planned === null; attempt++) {
    await waitForSession(kit, hostId, (s) => s.state === 'ready', 120_000);
    try {
      await kit.services.sessions.refresh(hostId);
      planned = await kit.services.bonds.plan({ hostId, action: 'delete', spec: null, bondName, checkinTimeoutSeconds: 60 });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const { plan, fieldErrors } = planned;
  if (!plan) throw new Error(`cannot plan the removal of ${bondName}: ${JSON.stringify(fieldErrors)}`);
  const started = await kit.services.bonds.apply(plan.planId, true);
  const done = await waitForApply(kit, started.applyId, (s) => s.phase === 'finished', 150_000);
  if (done.result !== 'confirmed') throw new Error(`removing ${bondName} after the cell did not work: ${describeApply(done)}`);
}

async function finishCell(c: CellHost, kit: Kit, hostId: string, cell: BondUnderTest, box: BoxState, t0: number, note: string): Promise<CellRun> {
  let cleanup = '';
  try {
    if (box.present) await removeBond(kit, hostId, cell.bond);
  } catch (err) {
    // The outcome stands (a stranded box often refuses the next change); the next cells may suffer.
    cleanup = `; CLEANUP FAILED: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`;
  }
  return { outcome: box.outcome, seconds: seconds(t0), note: `${note}; box: ${box.facts}${cleanup}`, box };
}

// ---- the app in a process of its own ------------------------------------------------------------

/** The data directories of the app processes started so far (the matrix file removes them at the end). */
export const appDataDirs: string[] = [];

interface AppProcess {
  readonly child: ChildProcess;
  readonly dataDir: string;
  next(kind: AppProcessMessage['kind'], timeoutMs: number): Promise<AppProcessMessage>;
}

async function startAppProcess(c: CellHost, spec: BondSpec, windowSeconds: number, then: AppProcessSpec['then']): Promise<AppProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `bs-${c.lab}-app-`));
  appDataDirs.push(dataDir);
  const child = fork(APP_PROCESS, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: AppProcessMessage[] = [];
  const waiters: (() => void)[] = [];
  child.on('message', (m: AppProcessMessage) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w();
  });
  child.once('exit', () => {
    for (const w of waiters.splice(0)) w();
  });
  const next = (kind: AppProcessMessage['kind'], timeoutMs: number): Promise<AppProcessMessage> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app process said no ${kind} in ${timeoutMs} ms`)), timeoutMs);
      const look = (): void => {
        const failed = messages.find((m) => m.kind === 'error' || m.kind === 'finished-early');
        const found = messages.find((m) => m.kind === kind);
        if (found || failed || child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          if (found) resolve(found);
          else if (failed?.kind === 'finished-early') reject(new NoWindow(underTest(spec), failed.message));
          else reject(new Error(`the app process ended: ${failed?.kind === 'error' ? failed.message : `exit ${child.exitCode ?? child.signalCode}`}`));
          return;
        }
        waiters.push(look);
      };
      look();
    });
  const message: AppProcessSpec = { dataDir, host: { label: c.host.name, port: c.host.ssh.port, keyPath: c.host.keyPath, user: c.user }, spec, windowSeconds, then };
  child.send(message);
  return { child, dataDir, next };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The app started again on the killed one's data directory, connected to the host it knew. */
async function restartedApp(c: CellHost, dataDir: string, hostId: string): Promise<Kit> {
  const kit = await makeKit(c.lab, dataDir);
  await kit.services.sessions.connect(hostId);
  const s = await waitForSession(kit, hostId, (x) => x.state === 'ready' || x.state === 'awaiting-trust' || x.state === 'failed', 120_000);
  if (s.state !== 'ready') throw new Error(`the restarted app could not connect: ${s.state} ${s.reason?.message ?? ''}`);
  return kit;
}

/** The change as the restarted app shows it waiting on the box: by its run id, or the box's only one where it keeps no ids. */
async function pendingOf(kit: Kit, hostId: string, runId: string): Promise<PendingOnBox | null> {
  const pending = (await kit.services.sessions.refresh(hostId)).view?.pending ?? [];
  return pending.find((p) => p.runId === runId) ?? (pending.length === 1 && pending[0]?.runId === null ? pending[0] : null) ?? null;
}

// ---- the cells ----------------------------------------------------------------------------------

async function sshDrop(c: CellHost): Promise<CellRun> {
  const spec = failover('bond1', '192.0.2.21');
  const window = 60;
  const plan = await planOf(c.kit, c.hostId, spec, window);
  // "The commit": the step that changes the running box (TrueNAS's interface.commit, the detached
  // apply of ifupdown and NetworkManager); its phase is 'apply' in every driver's plan.
  const commitStep = plan.steps.find((s) => s.phase === 'apply')?.id ?? '';
  let dropped: { at: number; connections: number } | null = null;
  const off = c.kit.services.events.subscribe((event, payload) => {
    const s = payload as ApplyState;
    // The three hosts' cells run at once on one app: only this host's apply counts.
    if (event !== 'apply.state' || dropped !== null || s.hostId !== c.hostId) return;
    if (s.steps.some((x) => x.id === commitStep && x.status === 'done')) dropped = { at: Date.now(), connections: dropConnections(c.host.ssh.port) };
  });
  const t0 = Date.now();
  const started = await c.kit.services.bonds.apply(plan.planId, true);
  const done = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'finished', window * 1000 + SETTLE_MARGIN_MS);
  off();
  const drop = dropped as { at: number; connections: number } | null;
  if (!drop) throw new NoWindow(underTest(spec), `${commitStep} never finished: ${done.message}`);
  const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
  const note = `${drop.connections} connection(s) cut after ${commitStep}; ${appSaid(done)}${agrees(done, box) ? '' : ' DISAGREES WITH THE BOX'}`;
  return finishCell(c, c.kit, c.hostId, underTest(spec), judged(done, box), drop.at ?? t0, note);
}

async function appKilled(c: CellHost): Promise<CellRun> {
  const spec = failover('bond2', '192.0.2.22');
  const window = 25;
  const app = await startAppProcess(c, spec, window, 'wait');
  const awaiting = await app.next('awaiting', 150_000);
  if (awaiting.kind !== 'awaiting') throw new Error('unexpected message');
  const t0 = Date.now();
  await killed(app.child);
  // Started again inside the window: the change shows as pending, with its time left.
  const kit = await restartedApp(c, app.dataDir, awaiting.hostId);
  try {
    const seen = await pendingOf(kit, awaiting.hostId, awaiting.runId);
    const pendingNote = seen ? `restarted app shows it pending (${seen.secondsLeft ?? '?'} s left)` : `restarted app did NOT show run ${awaiting.runId} pending`;
    const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
    const after = (await kit.services.sessions.refresh(awaiting.hostId)).view?.pending ?? [];
    const left = after.length === 0 ? 'nothing pending after' : `still pending after: ${after.map((r) => r.text).join(' ')}`;
    const consistent = seen !== null && box.outcome === 'restored-old' && after.length === 0;
    return await finishCell(c, kit, awaiting.hostId, underTest(spec), consistent ? box : { ...box, outcome: 'stranded' }, t0, `SIGKILL at awaiting-confirmation; ${pendingNote}; ${left}`);
  } finally {
    await kit.services.dispose();
  }
}

async function cableCut(c: CellHost): Promise<CellRun> {
  const spec = bondSpec({ name: 'bond3', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'FAST', aliases: [{ address: '192.0.2.23', prefix: 24 }] });
  const window = 60;
  const plan = await planOf(c.kit, c.hostId, spec, window);
  const started = await c.kit.services.bonds.apply(plan.planId, false);
  const waiting = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
  if (waiting.phase !== 'awaiting-confirmation') throw new NoWindow(underTest(spec), waiting.message);
  const t0 = Date.now();
  await labCut(c.host.name, 'eno1', c.lab);
  try {
    const kept = await c.kit.services.bonds.keep(waiting.applyId);
    const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
    return await finishCell(c, c.kit, c.hostId, underTest(spec), judged(kept, box), t0, `eno1 cut at awaiting-confirmation; ${appSaid(kept)}`);
  } finally {
    await labRestore(c.host.name, 'eno1', c.lab);
  }
}

async function reboot(c: CellHost): Promise<CellRun> {
  const spec = failover('bond4', '192.0.2.24');
  const window = 40;
  const plan = await planOf(c.kit, c.hostId, spec, window);
  const started = await c.kit.services.bonds.apply(plan.planId, false);
  const waiting = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
  if (waiting.phase !== 'awaiting-confirmation') throw new NoWindow(underTest(spec), waiting.message);
  const t0 = Date.now();
  await labReboot(c.host.name, c.lab);
  // After a reboot the app reconnects and may try to roll back by hand first: allow for its retries.
  const done = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'finished', window * 1000 + SETTLE_MARGIN_MS + 120_000);
  const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
  await waitForSession(c.kit, c.hostId, (s) => s.state === 'ready', 120_000);
  return finishCell(c, c.kit, c.hostId, underTest(spec), judged(done, box), t0, `rebooted at awaiting-confirmation; ${appSaid(done)}${agrees(done, box) ? '' : ' DISAGREES WITH THE BOX'}`);
}

async function mgmtCut(c: CellHost): Promise<CellRun> {
  // DHCP on a network without a DHCP server: the management address does not come back on the bond.
  const spec = bondSpec({ name: 'bond5', protocol: 'FAILOVER', members: ['ens3'], dhcp: true });
  const window = 20;
  const plan = await planOf(c.kit, c.hostId, spec, window);
  if (!plan.impact.managementMigration) throw new Error('the plan does not say the management path is affected');
  const t0 = Date.now();
  const started = await c.kit.services.bonds.apply(plan.planId, false);
  const done = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'finished', window * 1000 + SETTLE_MARGIN_MS + 60_000);
  const box = await settledBox(c.lab, c.host, underTest(spec, true), window * 1000 + SETTLE_MARGIN_MS);
  await waitForSession(c.kit, c.hostId, (s) => s.state === 'ready', 120_000);
  return finishCell(c, c.kit, c.hostId, underTest(spec, true), judged(done, box), t0, `DHCP bond over ens3 (no DHCP server); ${appSaid(done)}`);
}

async function verifyFails(c: CellHost): Promise<CellRun> {
  // A check the box cannot pass: with both members' cables cut the bond has no link. LACP, because
  // every stack monitors its links (TrueNAS leaves FAILOVER without miimon: the bond would read up).
  const spec = bondSpec({ name: 'bond6', protocol: 'LACP', members: ['eno1', 'eno2'], xmitHashPolicy: 'LAYER2+3', lacpduRate: 'FAST', aliases: [{ address: '192.0.2.26', prefix: 24 }] });
  const window = 60;
  await labCut(c.host.name, 'eno1', c.lab);
  await labCut(c.host.name, 'eno2', c.lab);
  try {
    const plan = await planOf(c.kit, c.hostId, spec, window);
    const t0 = Date.now();
    const started = await c.kit.services.bonds.apply(plan.planId, true);
    const done = await waitForApply(c.kit, started.applyId, (s) => s.phase === 'finished', window * 1000 + SETTLE_MARGIN_MS);
    const failed = done.checks.filter((x) => !x.ok).map((x) => `${x.name}: ${x.detail}`);
    const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
    const ok = agrees(done, box) && done.result !== 'confirmed';
    return await finishCell(c, c.kit, c.hostId, underTest(spec), ok ? box : { ...box, outcome: 'stranded' }, t0, `eno1+eno2 cut before the apply; failed checks: ${failed.join('; ') || 'none'}; ${appSaid(done)}`);
  } finally {
    await labRestore(c.host.name, 'eno1', c.lab);
    await labRestore(c.host.name, 'eno2', c.lab);
  }
}

async function killedWriting(c: CellHost): Promise<CellRun> {
  const spec = failover('bond7', '192.0.2.27');
  const window = 60;
  const app = await startAppProcess(c, spec, window, 'write-hosts');
  const awaiting = await app.next('awaiting', 150_000);
  if (awaiting.kind !== 'awaiting') throw new Error('unexpected message');
  await app.next('writing', 30_000);
  // Kill it the moment a temp file of an atomic write of hosts.json exists: inside that write.
  let tmpSeen = false;
  const until = Date.now() + 10_000;
  for (let i = 0; i < 100_000 && !tmpSeen && Date.now() < until; i++) tmpSeen = (await readdir(app.dataDir)).some((f) => f.startsWith('hosts.json.tmp-'));
  app.child.kill('SIGKILL');
  const t0 = Date.now();
  await killed(app.child);
  const files = await readdir(app.dataDir);
  const leftovers = files.filter((f) => f.includes('.tmp-'));
  const kit = await restartedApp(c, app.dataDir, awaiting.hostId);
  try {
    const list = await kit.services.hosts.list();
    const asides = (await readdir(app.dataDir)).filter((f) => f.includes('.corrupt-'));
    const inflight = await kit.services.inflight.list();
    const audit = await kit.services.audit.read(awaiting.hostId);
    const storeOk = list.storeProblem === null && asides.length === 0 && list.hosts.some((h) => h.id === awaiting.hostId) && inflight.includes(awaiting.runId) && audit.unreadable === 0;
    const seen = await pendingOf(kit, awaiting.hostId, awaiting.runId);
    if (!seen) throw new Error(`the restarted app does not show run ${awaiting.runId} pending`);
    await kit.services.pending.resolve(awaiting.hostId, 'keep', seen.runId);
    const box = await settledBox(c.lab, c.host, underTest(spec), window * 1000 + SETTLE_MARGIN_MS);
    const note = `killed ${tmpSeen ? 'with a hosts.json temp file open' : 'between writes (no temp file seen in 10 s)'}; left: ${leftovers.join(' ') || 'no temp file'}; restart read ${list.hosts.length} hosts, store problem ${list.storeProblem?.message ?? 'none'}, ${asides.length} kept aside, in-flight record ${inflight.includes(awaiting.runId) ? 'read' : 'MISSING'}, audit unreadable lines ${audit.unreadable}; Keep from the pending run`;
    return await finishCell(c, kit, awaiting.hostId, underTest(spec), storeOk ? box : { ...box, outcome: 'stranded' }, t0, note);
  } finally {
    await kit.services.dispose();
  }
}

export const DRIVER_CELLS: { readonly [F in Exclude<FaultId, 'fleet-dead-silent'>]: (c: CellHost) => Promise<CellRun> } = {
  'ssh-drop': sshDrop,
  'app-killed': appKilled,
  'cable-cut': cableCut,
  reboot,
  'mgmt-cut': mgmtCut,
  'verify-fails': verifyFails,
  'killed-writing': killedWriting,
};
