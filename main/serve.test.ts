import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run serve` as a process: where the browser-mode token may come from. Any local user can read
// a process's arguments (/proc/<pid>/cmdline, ps), so the token never travels on the command line.

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'bs-serve-'));
const rendererDir = join(work, 'renderer');
mkdirSync(rendererDir);
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Bondsmith</title>');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TOKEN = 'file-token-0123456789abcdef';

interface Outcome {
  /** The URL it printed, when it started. */
  readonly url: string | null;
  /** Exit code, when it refused to start. */
  readonly code: number | null;
  readonly stderr: string;
  /** What /proc/<pid>/cmdline said while it ran. */
  readonly cmdline: string;
}

function serve(args: readonly string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<Outcome> {
  const env: Record<string, string | undefined> = { ...process.env, BONDSMITH_DATA_DIR: join(work, 'data'), BONDSMITH_TOKEN: undefined, ...opts.env };
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'main', 'serve.ts'), '--renderer-dir', rendererDir, ...args], {
    cwd: repoRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let started: { url: string; cmdline: string } | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve neither started nor exited within 20 s: ${stdout} ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(stdout)?.[0];
      if (!url || started) return;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${child.pid ?? 0}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        cmdline = '(no /proc)';
      }
      started = { url, cmdline };
      child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(started ? { url: started.url, code: null, stderr, cmdline: started.cmdline } : { url: null, code, stderr, cmdline: '' });
    });
  });
}

function tokenFile(mode: number, content = `${TOKEN}\n`): string {
  const path = join(work, `token-${mode.toString(8)}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('browser mode token', { timeout: 30_000 }, () => {
  it.each([[['--token=value-0123456789abcdef']], [['--token', 'value-0123456789abcdef']]])('refuses a token on the command line (%j), naming the alternatives', async (args) => {
    const r = await serve(args);
    expect(r.url).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--token-file/);
    expect(r.stderr).toMatch(/--token-stdin/);
    expect(r.stderr).toMatch(/BONDSMITH_TOKEN/);
  });

  it('takes the token from a file only its owner can read, and keeps it off the command line', async () => {
    const r = await serve(['--token-file', tokenFile(0o600)]);
    expect(r.url).toMatch(new RegExp(`\\?token=${TOKEN}$`));
    expect(r.cmdline).not.toContain(TOKEN);
  });

  it.each([['0640', 0o640], ['0604', 0o604], ['0660', 0o660]])('refuses a token file that group or others can read or write (mode %s)', async (_label, mode) => {
    const path = tokenFile(mode);
    const r = await serve(['--token-file', path]);
    expect(r.url).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path} can be read or written by other users (mode 0${mode.toString(8)}); run: chmod 600 ${path}`);
  });

  it('refuses a token file that does not exist or holds no valid token', async () => {
    const missing = await serve(['--token-file', join(work, 'nope')]);
    expect(missing).toMatchObject({ url: null, code: 2 });
    expect(missing.stderr).toContain('cannot read the token file');
    const short = await serve(['--token-file', tokenFile(0o600, 'short\n')]);
    expect(short).toMatchObject({ url: null, code: 2 });
    expect(short.stderr).toContain('16 to 128 characters');
  });

  it('takes the token from standard input', async () => {
    const r = await serve(['--token-stdin'], { stdin: `${TOKEN}\n` });
    expect(r.url).toMatch(new RegExp(`\\?token=${TOKEN}$`));
  });

  it('takes the token from BONDSMITH_TOKEN, and makes a random one without any', async () => {
    expect((await serve([], { env: { BONDSMITH_TOKEN: TOKEN } })).url).toMatch(new RegExp(`\\?token=${TOKEN}$`));
    expect((await serve([])).url).toMatch(/\?token=[A-Za-z0-9_-]{32}$/);
  });
});
