// Running programs on the machine for the lab: bounded in time, output captured, failures as LabError.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LabError, type ExecResult } from './lab-types';

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  /** Resolve with the exit code instead of failing on a non-zero exit. */
  readonly allowFailure?: boolean;
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new LabError('LAB_COMMAND', `cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout, stderr };
      if (timedOut) {
        reject(new LabError('LAB_TIMEOUT', `${cmd} ${args.join(' ')} took longer than ${timeoutMs} ms`));
      } else if (code !== 0 && !opts.allowFailure) {
        const why = stderr.trim() || stdout.trim() || `signal ${signal ?? '?'}`;
        reject(new LabError('LAB_COMMAND', `${cmd} ${args.join(' ')} failed (exit ${code ?? signal}): ${why.slice(0, 800)}`));
      } else {
        resolve(result);
      }
    });
    if (child.stdin) {
      // A program may exit without reading its input; that is its answer, not our error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** `ip` in the lab's namespace (or the main one when netns is null). */
export function ip(netns: string | null, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  return run('ip', netns === null ? args : ['-n', netns, ...args], opts);
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a value, or fails with `what` after the deadline. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | null> | T | null, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new LabError('LAB_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
