import { execFile } from 'node:child_process';
import { cpus, loadavg } from 'node:os';

// Shared pieces of the fleet benchmark: child processes with a deadline, timing, statistics and the
// table. Numbers are wall-clock seconds as a user waiting for the whole fleet would see them.

export class BenchError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BenchError';
    this.code = code;
  }
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with stdin closed; resolves with its exit code (never rejects on a non-zero exit). */
export function runProcess(file: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // Spawn failure or deadline: not an exit status the caller can judge.
          const why = err.killed ? `no result within ${(opts.timeoutMs ?? 120_000) / 1000} s` : err.message;
          reject(new BenchError('PROCESS', `${file} did not finish: ${why}${stderr ? `\n${stderr.slice(0, 2000)}` : ''}`));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    // EOF on stdin: ssh must not wait for input we will never send.
    child.stdin?.end();
  });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/** Nearest-rank percentile of a non-empty sample. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export interface MethodResult {
  readonly method: string;
  /** What the number includes, one line. */
  readonly note: string;
  readonly seconds: readonly number[];
  /** Set when the method could not be measured; the row then says why. */
  readonly unavailable?: string;
}

export function unavailable(method: string, note: string, err: unknown): MethodResult {
  const reason = err instanceof Error ? err.message : String(err);
  return { method, note, seconds: [], unavailable: reason.split('\n')[0] ?? reason };
}

export function machineLine(): string {
  const [l1, l5, l15] = loadavg().map((x) => x.toFixed(2));
  return `machine: nproc ${cpus().length}, load average ${l1} ${l5} ${l15} (1/5/15 min), ${cpus()[0]?.model ?? 'unknown cpu'}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A plain-text table; the ratio column is each median over the baseline's median (1.0 = as fast). */
export function formatTable(rows: readonly MethodResult[], baselineMethod: string): string {
  const base = rows.find((r) => r.method === baselineMethod);
  const baseMedian = base && base.seconds.length > 0 ? percentile(base.seconds, 50) : NaN;
  const header = ['method', 'median s', 'p90 s', 'n', 'x warm', 'includes'];
  const body = rows.map((r) => {
    if (r.unavailable !== undefined || r.seconds.length === 0) {
      return [r.method, '-', '-', '0', '-', `not available (${r.unavailable ?? 'no samples'})`];
    }
    const med = percentile(r.seconds, 50);
    const p90 = r.seconds.length > 1 ? percentile(r.seconds, 90).toFixed(2) : '-';
    const ratio = Number.isFinite(baseMedian) && baseMedian > 0 ? `${(med / baseMedian).toFixed(1)}x` : '-';
    return [r.method, med.toFixed(2), p90, String(r.seconds.length), ratio, r.note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0))).join(' | ');
  return [line(header), widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 8 : w)).join('-|-'), ...body.map(line)].join('\n');
}
