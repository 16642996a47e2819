import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineLine } from './bench-kit';
import { meets, readSummary, type SummaryRow } from './summary';

// `npm run bench`: every benchmark, one after another on the same machine, each printing its own
// detailed table as it goes, then one table of the headline figures with their anchors, ratios and
// the targets, and the machine's load before and after. Figures are printed, never asserted.
//   npm run bench [-- --quick] [-- --only connect,fleet,apply,renderer]
// --quick: fleet sizes 10,50 (no 200 stress point), fewer rounds. Run as root (sshd servers, the lab).

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const quick = values.quick === true;

const BENCHES = [
  { key: 'connect', script: 'bench-connect.ts', args: quick ? ['--runs', '10', '--commands', '30'] : [] },
  { key: 'fleet', script: 'fleet-sshd.ts', args: quick ? ['--sizes', '10,50', '--rounds', '2'] : [] },
  { key: 'apply', script: 'apply-phases.ts', args: ['--rounds', quick ? '1' : '2'] },
  { key: 'renderer', script: 'renderer-fleet.ts', args: quick ? ['--rounds', '3'] : [] },
] as const;

function run(script: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

async function main(): Promise<void> {
  const only = values.only?.split(',').map((s) => s.trim()) ?? null;
  const unknown = only?.filter((k) => !BENCHES.some((b) => b.key === k)) ?? [];
  if (unknown.length > 0) throw new Error(`--only takes ${BENCHES.map((b) => b.key).join(', ')} (not ${unknown.join(', ')})`);
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmarks start sshd servers and the lab');
  if (!existsSync(join(here, '..', '..', 'dist', 'renderer', 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first (the renderer benchmark serves the built app)');
  const work = mkdtempSync(join(tmpdir(), 'bs-bench-all-'));
  const before = machineLine();
  const started = Date.now();
  const rows: SummaryRow[] = [];
  const failures: string[] = [];
  const times: string[] = [];
  try {
    for (const bench of BENCHES) {
      if (only && !only.includes(bench.key)) continue;
      const file = join(work, `${bench.key}.json`);
      console.log(`\n===== ${bench.script} ${bench.args.join(' ')}`);
      const t0 = Date.now();
      const code = await run(bench.script, [...bench.args, '--summary', file]);
      times.push(`${bench.script} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      if (code !== 0) failures.push(`${bench.script} exited with ${code}`);
      if (existsSync(file)) rows.push(...readSummary(readFileSync(file, 'utf8')));
      else if (code === 0) failures.push(`${bench.script} wrote no summary`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const header = ['phase', 'figure', 'value', 'anchor', 'ratio', 'target', 'includes'];
  const body = rows.map((r) => {
    const ratio = r.anchor ? r.value / r.anchor.value : null;
    const judged = r.target ? meets(ratio ?? r.value, r.target) : null;
    return [
      r.phase,
      r.row,
      `${fmt(r.value)} ${r.unit}`,
      r.anchor ? `${fmt(r.anchor.value)} ${r.unit} (${r.anchor.row})` : '',
      ratio === null ? '' : `${fmt(ratio)}x`,
      r.target ? `${r.target} ${judged === null ? '' : judged ? 'met' : 'MISSED'}` : '',
      r.includes,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join(' | ');
  console.log('\n===== Bondsmith benchmarks: headline figures (each script above prints its full table and what each row includes)');
  console.log(line(header));
  console.log(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 8 : w)).join('-|-'));
  for (const b of body) console.log(line(b));
  console.log(`before: ${before}`);
  console.log(`after:  ${machineLine()}`);
  console.log(`time: ${times.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length > 0) {
    console.log(`failed: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
