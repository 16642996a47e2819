import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_CONCURRENT_HANDSHAKES } from '../../main/services/services';
import { ansibleVersion } from './ansible-methods';
import { BenchError, machineLine, percentile } from './bench-kit';
import type { WorkerResult, WorkerSpec } from './fleet-bondsmith-worker';
import { ansibleCold, closeControlMasters, opensshControlMaster, opensshParallel, settle, type AnsibleModule } from './fleet-methods';
import { startFleet, type Fleet, type FleetServer } from './fleet-servers';
import { writeSummary, type SummaryRow } from './summary';

// Fleet benchmark on real OpenSSH servers on loopback: N independent sshd processes (own host key,
// own port), whose discovery command prints a captured discovery fixture, so the client side is
// what is measured. Bondsmith (its services in a process of their own) against the OpenSSH client
// and Ansible, all on the same servers in one run, at several fleet sizes. Run as root:
//   npx tsx e2e/bench/fleet-sshd.ts [--sizes 10,50,200] [--rounds R] [--ansible-max N]
// Rows (see e2e/bench/README.md for what each includes):
//   P1 cold discovery of all N: Bondsmith, OpenSSH one ssh per host in parallel, Ansible raw and shell
//   P2 warm refresh of all N: Bondsmith over its open sessions, OpenSSH over ControlMaster masters
//   P5 the Bondsmith process at N: RSS, heap, event-loop delay while the connections start, CPU
// At the largest size Bondsmith also runs without its handshake limit, to show what the limit does.

const MAX_HOSTS = 250;
const started = Date.now();

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new BenchError('USAGE', `${flag} takes whole numbers from ${min} to ${max} (got "${raw}")`);
  return n;
}

function options(): { sizes: number[]; rounds: number; ansibleMax: number; summary: string | null } {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, rounds: { type: 'string' }, 'ansible-max': { type: 'string' }, summary: { type: 'string' } } });
  const sizes = (values.sizes ?? '10,50,200').split(',').map((s) => wholeNumber('--sizes', s.trim(), 1, MAX_HOSTS));
  if (sizes.length > 4) throw new BenchError('USAGE', '--sizes takes at most 4 sizes');
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    rounds: wholeNumber('--rounds', values.rounds ?? '3', 1, 10),
    ansibleMax: wholeNumber('--ansible-max', values['ansible-max'] ?? '50', 0, MAX_HOSTS),
    summary: values.summary ?? null,
  };
}

// ---- rows and the table ------------------------------------------------------------------------

interface Row {
  readonly phase: 'P1' | 'P2' | 'P5';
  readonly method: string;
  readonly hosts: number;
  readonly seconds?: readonly number[];
  /** P5: the figures as text. */
  readonly text?: string;
  readonly ratio?: string;
  readonly note: string;
  readonly unavailable?: string;
}

const NOTES = {
  bondsmithCold: 'createServices + hosts already added (not timed); connect all (TCP, key exchange, host key checked against known_hosts, key auth), then one discovery refresh per host, parsed into facts and host view',
  bondsmithWarm: 'sessions open; one discovery refresh per host, all at once, parsed into facts and host view',
  opensshParallel: 'a new ssh per host (exec, handshake, host key checked, key auth, discovery command), all hosts at once',
  controlMaster: 'masters opened beforehand (not timed); a new ssh client per host over its master: channel + discovery command, all at once',
  ansibleRaw: 'ansible all -m raw -a <discovery command> -f N, cold (new ControlPersist masters), host keys checked',
  ansibleShell: 'ansible all -m shell -a <cat of the fixture> -f N, cold: Python module copied over sftp and run on each host',
  process: 'Bondsmith worker process: RSS and V8 heap with N sessions open after the warm rounds (peak RSS; RSS before connecting); event-loop delay while the N connections start, p99 of the worst cold round (of each round) and the largest; CPU per cold round',
} as const;

function timedRow(phase: Row['phase'], method: string, hosts: number, seconds: readonly number[], note: string): Row {
  return { phase, method, hosts, seconds, note };
}

function missing(phase: Row['phase'], method: string, hosts: number, note: string, why: unknown): Row {
  const reason = why instanceof Error ? why.message : String(why);
  return { phase, method, hosts, note, unavailable: reason.split('\n')[0] ?? reason };
}

function median(xs: readonly number[] | undefined): number {
  return xs && xs.length > 0 ? percentile(xs, 50) : NaN;
}

function result(r: Row): string {
  if (r.unavailable !== undefined) return `not available (${r.unavailable})`;
  if (r.text !== undefined) return r.text;
  const xs = r.seconds ?? [];
  return `${median(xs).toFixed(2)} s${xs.length > 1 ? ` (p90 ${percentile(xs, 90).toFixed(2)}, n=${xs.length})` : ' (n=1)'}`;
}

/** P1 rows over OpenSSH parallel, P2 rows over ControlMaster, at the same N. */
function withRatios(rows: readonly Row[]): Row[] {
  return rows.map((r) => {
    if (r.phase === 'P5' || r.unavailable !== undefined) return r;
    const anchorName = r.phase === 'P1' ? 'OpenSSH parallel' : 'OpenSSH ControlMaster';
    const anchor = rows.find((a) => a.phase === r.phase && a.hosts === r.hosts && a.method === anchorName);
    const a = median(anchor?.seconds);
    if (!Number.isFinite(a) || a <= 0) return r;
    return { ...r, ratio: `${(median(r.seconds) / a).toFixed(2)}x ${r.phase === 'P1' ? 'ssh par.' : 'ctl-mstr'}` };
  });
}

function formatTable(rows: readonly Row[]): string {
  const header = ['phase', 'method', 'N', 'result', 'ratio', 'includes'];
  const body = rows.map((r) => [r.phase, r.method, String(r.hosts), result(r), r.ratio ?? '-', r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (i === header.length - 1 ? 0 : (row[i] ?? '').length))));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' | ');
  return [line(header), widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 8 : w)).join('-|-'), ...body.map(line)].join('\n');
}

// ---- the Bondsmith worker -----------------------------------------------------------------------

const WORKER = fileURLToPath(new URL('./fleet-bondsmith-worker.ts', import.meta.url));
const workers = new Set<ChildProcess>();

function runWorker(spec: WorkerSpec): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    // Same loader flags as this process (tsx), so the worker runs the TypeScript sources too.
    const child = fork(WORKER, [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    workers.add(child);
    let answer: { ok: true; result: WorkerResult } | { ok: false; error: string } | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('message', (m: typeof answer) => (answer = m));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      workers.delete(child);
      if (answer?.ok) resolve(answer.result);
      else reject(new BenchError('BONDSMITH', answer ? answer.error : `the Bondsmith worker exited (${signal ?? code}) without a result`));
    });
    child.send(spec);
  });
}

function processText(w: WorkerResult): string {
  return `RSS ${w.rssMb.toFixed(0)} MB (peak ${w.maxRssMb.toFixed(0)}, ${w.baselineRssMb.toFixed(0)} before connecting), heap ${w.heapUsedMb.toFixed(0)} MB, loop p99 ${w.loopP99Ms.toFixed(0)} ms (rounds ${w.loopP99PerRoundMs.map((x) => x.toFixed(0)).join('/')}, max ${w.loopMaxMs.toFixed(0)}), CPU ${median(w.cpuSeconds).toFixed(2)} s/round`;
}

// ---- one fleet size ---------------------------------------------------------------------------

async function stage<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`  - ${label}...`);
  try {
    const value = await fn();
    process.stdout.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return value;
  } catch (err) {
    process.stdout.write(` failed after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    throw err;
  }
}

interface SizeRun {
  readonly servers: readonly FleetServer[];
  readonly knownHostsFile: string;
  readonly work: string;
  readonly rounds: number;
  readonly ansible: string | null;
  readonly ansibleMax: number;
  readonly largest: boolean;
}

async function benchSize(run: SizeRun): Promise<{ rows: Row[]; process: WorkerResult | null }> {
  const n = run.servers.length;
  const rows: Row[] = [];
  let processResult: WorkerResult | null = null;
  const spec = (dir: string, handshakeLimit: number | null): WorkerSpec => ({ servers: run.servers, knownHostsFile: run.knownHostsFile, dataDir: join(run.work, dir), rounds: run.rounds, handshakeLimit });

  try {
    const w = await stage(`Bondsmith (${run.rounds} cold + ${run.rounds} warm rounds, own process)`, () => runWorker(spec(`bondsmith-${n}`, null)));
    processResult = w;
    rows.push(timedRow('P1', 'Bondsmith', n, w.cold, NOTES.bondsmithCold), timedRow('P2', 'Bondsmith', n, w.warm, NOTES.bondsmithWarm));
    rows.push({ phase: 'P5', method: `Bondsmith process (handshake limit ${DEFAULT_CONCURRENT_HANDSHAKES || 'off'})`, hosts: n, text: processText(w), note: NOTES.process });
  } catch (err) {
    rows.push(missing('P1', 'Bondsmith', n, NOTES.bondsmithCold, err));
  }
  await settle(1000);
  if (run.largest && DEFAULT_CONCURRENT_HANDSHAKES > 0) {
    try {
      const w = await stage('Bondsmith without the handshake limit', () => runWorker(spec(`bondsmith-${n}-nolimit`, 0)));
      rows.push(timedRow('P1', 'Bondsmith, handshake limit off', n, w.cold, NOTES.bondsmithCold));
      rows.push({ phase: 'P5', method: 'Bondsmith process (handshake limit off)', hosts: n, text: processText(w), note: NOTES.process });
    } catch (err) {
      rows.push(missing('P1', 'Bondsmith, handshake limit off', n, NOTES.bondsmithCold, err));
    }
    await settle(1000);
  }
  try {
    rows.push(timedRow('P1', 'OpenSSH parallel', n, await stage(`OpenSSH parallel (${run.rounds} rounds)`, () => opensshParallel(run.servers, run.knownHostsFile, run.rounds)), NOTES.opensshParallel));
  } catch (err) {
    rows.push(missing('P1', 'OpenSSH parallel', n, NOTES.opensshParallel, err));
  }
  try {
    const cmDir = join(run.work, `cm-${n}`);
    rows.push(timedRow('P2', 'OpenSSH ControlMaster', n, await stage(`OpenSSH ControlMaster (${run.rounds} rounds)`, () => opensshControlMaster(run.servers, run.knownHostsFile, run.rounds, cmDir)), NOTES.controlMaster));
  } catch (err) {
    rows.push(missing('P2', 'OpenSSH ControlMaster', n, NOTES.controlMaster, err));
  }
  await settle(1000);
  for (const [module, note] of [['raw', NOTES.ansibleRaw], ['shell', NOTES.ansibleShell]] as Array<[AnsibleModule, string]>) {
    const method = `Ansible ${module}`;
    if (run.ansible === null) {
      rows.push(missing('P1', method, n, note, 'ansible is not installed; apt-get install -y ansible'));
    } else if (n > run.ansibleMax) {
      rows.push(missing('P1', method, n, note, `skipped above --ansible-max ${run.ansibleMax} hosts, to keep the run to a few minutes`));
    } else {
      try {
        const seconds = await stage(`${method} (1 cold run)`, () => ansibleCold(run.servers, run.knownHostsFile, join(run.work, `ansible-${module}-${n}`), module));
        rows.push(timedRow('P1', method, n, [seconds], note));
      } catch (err) {
        rows.push(missing('P1', method, n, note, err));
      }
    }
  }
  return { rows, process: processResult };
}

// ---- the run ------------------------------------------------------------------------------------

let fleet: Fleet | null = null;
let work: string | null = null;
const openMasters: Array<() => Promise<void>> = [];

async function cleanup(): Promise<void> {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(openMasters.splice(0).map((close) => close().catch(() => undefined)));
  await fleet?.stop();
  fleet = null;
  if (work) rmSync(work, { recursive: true, force: true });
  work = null;
}

async function main(): Promise<void> {
  const opts = options();
  if (process.getuid?.() !== 0) throw new BenchError('ROOT', 'run as root: the sshd servers log in as root with a key');
  const largest = opts.sizes.at(-1) ?? 0;
  const loadBefore = machineLine();
  console.log(`fleet-sshd benchmark, ${new Date().toISOString()}: sizes ${opts.sizes.join(', ')}; ${opts.rounds} round(s) per Bondsmith/OpenSSH row, Ansible 1 cold run (up to ${opts.ansibleMax} hosts)`);
  console.log(`before: ${loadBefore}`);
  const ansible = await ansibleVersion();
  console.log(ansible === null ? 'ansible: not available (apt-get install -y ansible)' : `ansible: ansible-core ${ansible}`);

  work = mkdtempSync(join(tmpdir(), 'bs-fleet-'));
  const up = await stage(`starting ${largest} sshd servers on 127.0.0.1`, () => startFleet(largest, work ?? ''));
  fleet = up;
  console.log(`  ${up.servers.length} servers on ports ${up.servers[0]?.port ?? '?'}..; ${machineLine()}`);

  const rows: Row[] = [];
  const processes = new Map<number, WorkerResult>();
  for (const n of opts.sizes) {
    console.log(`- ${n} hosts`);
    const servers = up.servers.slice(0, n);
    openMasters.push(() => closeControlMasters(servers, up.knownHostsFile, join(work ?? '', `cm-${n}`)));
    const r = await benchSize({ servers, knownHostsFile: up.knownHostsFile, work: work ?? '', rounds: opts.rounds, ansible, ansibleMax: opts.ansibleMax, largest: n === largest });
    rows.push(...r.rows);
    if (r.process) processes.set(n, r.process);
  }

  // P5 scaling: each size's figures over the smallest size's.
  const smallest = processes.get(opts.sizes[0] ?? 0);
  const scaled = rows.map((r) => {
    const w = processes.get(r.hosts);
    if (r.phase !== 'P5' || !smallest || !w || r.hosts === opts.sizes[0] || !r.method.includes(`limit ${DEFAULT_CONCURRENT_HANDSHAKES || 'off'}`)) return r;
    return { ...r, ratio: `CPU ${(median(w.cpuSeconds) / median(smallest.cpuSeconds)).toFixed(1)}x, RSS ${(w.rssMb / smallest.rssMb).toFixed(1)}x of N=${opts.sizes[0]}` };
  });
  const order = { P1: 0, P2: 1, P5: 2 } as const;
  const table = withRatios(scaled).sort((a, b) => order[a.phase] - order[b.phase] || a.hosts - b.hosts);

  console.log('');
  console.log(`Fleet of ${opts.sizes.join(' / ')} OpenSSH servers on loopback; wall clock for all N hosts, median of ${opts.rounds} round(s) unless n=1; ratio = median over the anchor's at the same N (P1: OpenSSH parallel, P2: ControlMaster)`);
  console.log(formatTable(table));
  console.log('');
  console.log(targets(table, processes));
  if (opts.summary) writeSummary(opts.summary, summaryRows(table, processes));
  console.log(`before: ${loadBefore}`);
  console.log(`after:  ${machineLine()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The issue's targets at 50 hosts, where the run has that size. */
function targets(rows: readonly Row[], processes: ReadonlyMap<number, WorkerResult>): string {
  const at = (phase: Row['phase'], method: string): number => median(rows.find((r) => r.phase === phase && r.hosts === 50 && r.method === method)?.seconds);
  const w = processes.get(50);
  if (!w) return 'targets: no 50-host run (--sizes without 50)';
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  return [
    'targets at 50 hosts:',
    `  P1 Bondsmith / OpenSSH parallel  ${f(at('P1', 'Bondsmith') / at('P1', 'OpenSSH parallel'))} (target <= 0.3)`,
    `  P1 Bondsmith / Ansible shell     ${f(at('P1', 'Bondsmith') / at('P1', 'Ansible shell'))} (target <= 0.05)`,
    `  P2 Bondsmith / ControlMaster     ${f(at('P2', 'Bondsmith') / at('P2', 'OpenSSH ControlMaster'))} (target <= 1)`,
    `  event-loop p99 while connecting  ${w.loopP99Ms.toFixed(0)} ms, worst round (target <= 50)`,
    `  RSS with 50 sessions             ${w.rssMb.toFixed(0)} MB, peak ${w.maxRssMb.toFixed(0)} MB (target <= 200)`,
  ].join('\n');
}

/** The 50-host figures against their anchors and targets, for run-all.ts's table. */
function summaryRows(rows: readonly Row[], processes: ReadonlyMap<number, WorkerResult>): SummaryRow[] {
  const at = (phase: Row['phase'], method: string): number => median(rows.find((r) => r.phase === phase && r.hosts === 50 && r.method === method)?.seconds);
  const w = processes.get(50);
  if (!w) return [];
  const bondsmith = at('P1', 'Bondsmith');
  return [
    { phase: 'P1', row: 'cold discovery, 50 hosts', value: bondsmith, unit: 's', includes: NOTES.bondsmithCold, anchor: { row: 'OpenSSH, one ssh per host in parallel', value: at('P1', 'OpenSSH parallel') }, target: '<= 0.3' },
    { phase: 'P1', row: 'cold discovery, 50 hosts', value: bondsmith, unit: 's', includes: 'the same', anchor: { row: 'Ansible -m shell, cold', value: at('P1', 'Ansible shell') }, target: '<= 0.05' },
    { phase: 'P2', row: 'warm refresh, 50 hosts', value: at('P2', 'Bondsmith'), unit: 's', includes: 'sessions open; one discovery per host, parsed', anchor: { row: 'OpenSSH ControlMaster, a client per host', value: at('P2', 'OpenSSH ControlMaster') }, target: '<= 1' },
    { phase: 'P5', row: 'event-loop p99 while 50 hosts connect', value: w.loopP99Ms, unit: 'ms', includes: 'worst cold round, monitorEventLoopDelay', target: '<= 50' },
    { phase: 'P5', row: 'main-process RSS with 50 sessions', value: w.rssMb, unit: 'MB', includes: 'after the warm rounds, results held', target: '<= 200' },
  ];
}

// Ctrl-C or a kill skips `finally`: stop every server, master and worker here too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the benchmark's servers`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    const code = err instanceof BenchError ? err.code : 'BENCH';
    console.error(`fleet-sshd failed [${code}]: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
