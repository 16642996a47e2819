import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Outcome } from './box-state';

// The fault matrix's results: each cell appends one line to a file of this run (the fault files run
// in worker processes of their own), and the run's global teardown prints them as one table.

export const FAULTS = [
  ['ssh-drop', 'SSH connection drops right after the commit'],
  ['app-killed', 'app process killed (SIGKILL) in the window, then restarted'],
  ['cable-cut', 'member cable cut in the window, then Keep'],
  ['reboot', 'box reboots in the window'],
  ['mgmt-cut', 'the change cuts the management path'],
  ['verify-fails', 'verification fails (LACP, both members without link)'],
  ['killed-writing', 'app killed while writing hosts.json, restarted, Keep'],
  ['fleet-dead-silent', '50 hosts: 1 refuses, 1 never answers, 48 used'],
] as const;

export type FaultId = (typeof FAULTS)[number][0];

export const DRIVERS = ['truenas', 'linux-ifupdown', 'networkmanager'] as const;
export type DriverColumn = (typeof DRIVERS)[number] | 'loopback sshd';

export interface CellResult {
  readonly fault: FaultId;
  readonly driver: DriverColumn;
  /** `not run: <reason>` where the cell cannot run on this driver yet. */
  readonly outcome: Outcome | 'ok' | 'cell failed' | `not run: ${string}`;
  /** From the fault to the box settled (nothing armed, its outcome read), in seconds. */
  readonly seconds: number | null;
  readonly note: string;
  /** A cell listed in KNOWN_GAPS (drivers.fault.ts): shown as it ends, not failing the matrix. */
  readonly knownGap?: boolean;
}

const scope = process.env.BONDSMITH_LAB_SCOPE ?? '';
const resultsDir = join(tmpdir(), `bondsmith-faults${scope === '' ? '' : `-${scope}`}`);
const resultsFile = join(resultsDir, 'results.jsonl');

export function clearResults(): void {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
}

export function recordCell(result: CellResult): void {
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(resultsFile, `${JSON.stringify(result)}\n`);
  console.log(`[fault matrix] ${result.fault} × ${result.driver}: ${result.outcome}${result.seconds === null ? '' : ` in ${result.seconds.toFixed(1)} s`} ${result.note}`);
}

export function readResults(): CellResult[] {
  let text: string;
  try {
    text = readFileSync(resultsFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CellResult);
}

function cellText(r: CellResult | undefined): string {
  if (!r) return '-';
  const outcome = r.knownGap === true ? `${r.outcome} (known gap)` : r.outcome;
  return r.seconds === null ? outcome : `${outcome} ${r.seconds.toFixed(1)} s`;
}

/** The table: one row per fault, one column per driver (the fleet row is the app against loopback sshd). */
export function formatMatrix(results: readonly CellResult[]): string {
  const columns: readonly DriverColumn[] = [...DRIVERS, 'loopback sshd'];
  const used = columns.filter((c) => results.some((r) => r.driver === c));
  const rows = FAULTS.filter(([id]) => results.some((r) => r.fault === id)).map(([id, title]) => [title, ...used.map((c) => cellText(results.find((r) => r.fault === id && r.driver === c)))]);
  const header = ['fault', ...used];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const stranded = results.filter((r) => r.outcome === 'stranded' && r.knownGap !== true).length;
  const gaps = results.filter((r) => r.outcome === 'stranded' && r.knownGap === true).length;
  const notRun = results.filter((r) => r.outcome.startsWith('not run')).length;
  const failed = results.filter((r) => r.outcome === 'cell failed').length;
  const unconfirmed = results.filter((r) => r.outcome === 'kept-unconfirmed').length;
  out.push('', `cells: ${results.length}, stranded: ${stranded} (and ${gaps} known gap(s)), kept-unconfirmed: ${unconfirmed}, cell failed: ${failed}, not run: ${notRun}`);
  out.push(
    'confirmed-new: the new bond runs, is kept by the box\'s stack, nothing armed, the app confirmed it; restored-old: no trace of the bond, the old configuration back, the app says so;',
    "kept-unconfirmed: the new bond runs and is kept, nothing armed, and the app says the box kept it without confirmation and offers a safe apply that reverts it; stranded: anything else, or the app and the box disagree.",
  );
  out.push('', 'Notes (what each cell saw):');
  for (const r of results) out.push(`  ${r.fault} × ${r.driver}: ${r.note}`);
  return out.join('\n');
}
