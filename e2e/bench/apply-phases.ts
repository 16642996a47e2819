import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyState, BondSpec, PlanView } from '../../preload/contract';
import { createServices, type Services } from '../../main/services/services';
import type { ConnectionFactory, ExecOptions, ExecResult, HostConnection } from '../../main/ssh/connection';
import { sshConnectionFactory } from '../../main/ssh/ssh-connection';
import { writeSummary, type SummaryRow } from './summary';
import { labDown, labExec, labUp, type LabHostStatus } from '../lab/lab';

// P3, safe apply phase by phase (issue 15): on one lab host of each driver, create an LACP bond and
// keep it, then delete it and keep that, R rounds. Per phase it prints the wall clock, the number of
// remote commands and SSH round trips (an exec is one round trip; a fresh connection is one more),
// and what the box itself spends on the same commands (each command's own run time, measured on the
// box over the lab's control path). Figures are printed, never asserted.
//
//   npx tsx e2e/bench/apply-phases.ts [--rounds R]     (root, where the lab can start)

const LAB = 'bphase';
const PHASES = ['plan', 'prepare', 'arm', 'apply', 'reconnect', 'verify', 'confirm'] as const;
type Phase = (typeof PHASES)[number];

interface PhaseFigures {
  ms: number;
  commands: number;
  roundTrips: number;
}

type Tally = Record<Phase, PhaseFigures>;

const emptyTally = (): Tally => Object.fromEntries(PHASES.map((p) => [p, { ms: 0, commands: 0, roundTrips: 0 }])) as Tally;

/** Wraps every connection so each exec and each fresh connection is counted against the phase running now. */
function countingFactory(inner: ConnectionFactory, current: { phase: Phase | null; tally: Tally | null }): ConnectionFactory {
  const wrap = (c: HostConnection): HostConnection => ({
    snapshot: () => c.snapshot(),
    onState: (l) => c.onState(l),
    connect: () => c.connect(),
    trust: () => c.trust(),
    close: () => c.close(),
    exec: async (command: string, options?: ExecOptions): Promise<ExecResult> => {
      const t = current.tally && current.phase ? current.tally[current.phase] : null;
      if (t) {
        t.commands++;
        t.roundTrips++;
      }
      return c.exec(command, options);
    },
    openFresh: async (overrides) => {
      const t0 = Date.now();
      const fresh = await c.openFresh(overrides);
      if (current.tally) {
        current.tally.reconnect.ms += Date.now() - t0;
        current.tally.reconnect.roundTrips++;
      }
      return wrap(fresh);
    },
  });
  return (target) => wrap(inner(target));
}

function waitFor<T>(services: Services, pick: (event: string, payload: unknown) => T | null, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = services.events.subscribe((event, payload) => {
      const v = pick(event, payload);
      if (v === null) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

async function connect(services: Services, host: LabHostStatus): Promise<string> {
  const user = host.flavor === 'truenas' ? 'admin' : 'root';
  const id = (await services.hosts.add({ label: host.name, address: '127.0.0.1', port: host.ssh.port, user, auth: { kind: 'key', keyPath: host.keyPath }, jumpHostId: null, tags: [], useSudo: user !== 'root' })).id;
  const ready = waitFor(services, (e, p) => (e === 'session.state' && (p as { hostId: string; state: string }).hostId === id && (p as { state: string }).state === 'ready' ? true : null), 60_000);
  await services.sessions.connect(id);
  await ready;
  return id;
}

/** One change with its phases timed: plan, then each step's phase from its running to its done, then Keep. */
async function timedChange(services: Services, hostId: string, req: { action: 'create' | 'delete'; spec: BondSpec | null; bondName: string | null }, current: { phase: Phase | null; tally: Tally | null }): Promise<{ tally: Tally; runId: string; totalMs: number }> {
  const tally = emptyTally();
  current.tally = tally;
  current.phase = 'plan';
  const t0 = Date.now();
  const { plan, fieldErrors } = await services.bonds.plan({ hostId, ...req, checkinTimeoutSeconds: 60 });
  tally.plan.ms = Date.now() - t0;
  if (!plan) throw new Error(`no plan: ${JSON.stringify(fieldErrors)}`);
  const phaseOf = new Map<string, Phase>(plan.steps.map((s) => [s.id, s.phase === 'rollback' ? 'confirm' : s.phase]));
  const started = new Map<string, number>();
  const off = services.events.subscribe((event, payload) => {
    if (event !== 'apply.state') return;
    const s = payload as ApplyState;
    for (const step of s.steps) {
      const phase = phaseOf.get(step.id);
      if (!phase) continue;
      if (step.status === 'running' && !started.has(step.id)) {
        started.set(step.id, Date.now());
        current.phase = phase;
      }
      if ((step.status === 'done' || step.status === 'failed' || step.status === 'skipped') && started.has(step.id) && !started.has(`${step.id}#done`)) {
        started.set(`${step.id}#done`, 1);
        tally[phase].ms += Date.now() - (started.get(step.id) ?? Date.now());
      }
    }
  });
  try {
    const applied = await services.bonds.apply(plan.planId, false);
    const waiting = await waitFor(services, (e, p) => (e === 'apply.state' && (p as ApplyState).applyId === applied.applyId && ((p as ApplyState).phase === 'awaiting-confirmation' || (p as ApplyState).phase === 'finished') ? (p as ApplyState) : null), 180_000);
    if (waiting.phase !== 'awaiting-confirmation') throw new Error(`apply ended ${waiting.result ?? ''}: ${waiting.message}`);
    current.phase = 'confirm';
    const kept = await services.bonds.keep(waiting.applyId);
    if (kept.result !== 'confirmed') throw new Error(`keep ended ${kept.result ?? ''}: ${kept.message}`);
  } finally {
    off();
    current.phase = null;
    current.tally = null;
  }
  return { tally, runId: runIdOf(plan), totalMs: Date.now() - t0 };
}

function runIdOf(plan: PlanView): string {
  for (const s of plan.steps) {
    const m = /bondsmith[/-]([a-z]+-[A-Za-z0-9]+)/.exec(s.command);
    if (m?.[1]) return m[1];
  }
  return '?';
}

/** What one remote command costs the box itself: `sh -c true` and a middleware call, timed on the box. */
async function boxCost(host: LabHostStatus): Promise<{ shMs: number; midcltMs: number | null }> {
  const probe = async (cmd: string): Promise<number> => {
    const r = await labExec(host.name, `a=$(date +%s%N); ${cmd} >/dev/null 2>&1; b=$(date +%s%N); echo $(( (b - a) / 1000000 ))`, { user: 'root', timeoutMs: 30_000 }, LAB);
    return Number(r.stdout.trim());
  };
  const sh: number[] = [];
  for (let i = 0; i < 5; i++) sh.push(await probe('sh -c true'));
  let midclt: number | null = null;
  if (host.flavor === 'truenas') {
    const m: number[] = [];
    for (let i = 0; i < 5; i++) m.push(await probe('midclt call interface.has_pending_changes'));
    midclt = median(m);
  }
  return { shMs: median(sh), midcltMs: midclt };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function medianTally(tallies: readonly Tally[]): Tally {
  const out = emptyTally();
  for (const p of PHASES) {
    out[p] = {
      ms: median(tallies.map((t) => t[p].ms)),
      commands: median(tallies.map((t) => t[p].commands)),
      roundTrips: median(tallies.map((t) => t[p].roundTrips)),
    };
  }
  return out;
}

async function main(): Promise<void> {
  const rounds = Math.min(20, Math.max(1, Number(process.argv[process.argv.indexOf('--rounds') + 1] ?? '3') || 3));
  console.log(`P3 safe apply by phase; ${rounds} round(s) per driver; load before ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const lab = await labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'], truenasVersion: '25.10.2.2' });
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-bench-phases-'));
  const knownHosts = join(dataDir, 'known_hosts');
  await writeFile(knownHosts, lab.hosts.map((h) => h.knownHostsLine ?? '').join('\n') + '\n');
  const current: { phase: Phase | null; tally: Tally | null } = { phase: null, tally: null };
  const services = createServices({
    dataDir,
    mode: 'browser',
    version: 'bench',
    cipher: null,
    userKnownHosts: [],
    allowVirtualMembers: true,
    connectionFactory: countingFactory(sshConnectionFactory({ appKnownHosts: knownHosts, userKnownHosts: [] }), current),
  });
  const stop = async (): Promise<void> => {
    await services.dispose().catch(() => undefined);
    await labDown(LAB).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const rows: string[] = [];
    const summary: SummaryRow[] = [];
    for (const host of lab.hosts) {
      const id = await connect(services, host);
      const driver = host.flavor === 'truenas' ? 'truenas' : 'linux-ifupdown';
      const creates: Tally[] = [];
      const deletes: Tally[] = [];
      const totals: { create: number[]; delete: number[] } = { create: [], delete: [] };
      for (let r = 0; r < rounds; r++) {
        const spec: BondSpec = { name: 'bond1', description: 'bench', protocol: 'LACP', xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', mtu: null, members: ['eno1', 'eno2'], dhcp: false, aliases: [{ address: '203.0.113.50', prefix: 24 }] };
        const c = await timedChange(services, id, { action: 'create', spec, bondName: null }, current);
        creates.push(c.tally);
        totals.create.push(c.totalMs);
        const d = await timedChange(services, id, { action: 'delete', spec: null, bondName: 'bond1' }, current);
        deletes.push(d.tally);
        totals.delete.push(d.totalMs);
      }
      const cost = await boxCost(host);
      for (const [what, tallies, total] of [['create', creates, totals.create], ['delete', deletes, totals.delete]] as const) {
        const t = medianTally(tallies);
        const commands = PHASES.reduce((n, p) => n + t[p].commands, 0);
        const perCommandOnBox = driver === 'truenas' ? (cost.midcltMs ?? cost.shMs) : cost.shMs;
        const roundTrips = PHASES.reduce((n, p) => n + t[p].roundTrips, 0);
        summary.push({
          phase: 'P3',
          row: `safe apply, ${driver} ${what}`,
          value: median(total),
          unit: 'ms',
          includes: `plan to confirmed, ${commands} commands, ${roundTrips} SSH round trips`,
          anchor: { row: "the box's own time for those commands", value: commands * perCommandOnBox },
        });
        rows.push(
          `| ${driver} | ${what} | ${median(total)} | ` +
            PHASES.map((p) => `${t[p].ms} / ${t[p].commands} / ${t[p].roundTrips}`).join(' | ') +
            ` | ${commands} | ~${commands * perCommandOnBox} (${perCommandOnBox} ms each) |`,
        );
      }
    }
    console.log('\nMedian per phase: wall ms / remote commands / SSH round trips. "plan" includes the fresh discovery and the driver\'s extra reads;');
    console.log('"reconnect" is opening the fresh connection that verify and confirm use; "on the box" is the commands\' count times what one such command costs the box itself.\n');
    console.log(`| driver | change | total ms | ${PHASES.join(' | ')} | commands | on the box, ms |`);
    console.log(`| --- | --- | --- | ${PHASES.map(() => '---').join(' | ')} | --- | --- |`);
    for (const r of rows) console.log(r);
    console.log(`\nload after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const summaryAt = process.argv.indexOf('--summary');
    if (summaryAt > 0 && process.argv[summaryAt + 1]) writeSummary(process.argv[summaryAt + 1] ?? '', summary);
  } finally {
    await stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
