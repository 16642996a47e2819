import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSession, type HostSession, type HostSessionConfig, type SessionState } from './host-session';
import { fingerprintOf, startSshd, type ClientKey, type SshdFixture } from '../../e2e/kit/sshd-fixture';

// Drops, reconnects and host key changes against a real sshd that the tests kill and restart.
// The tests in this file run in order: the last one replaces the server's host key.

let sshd: SshdFixture;
let key: ClientKey;
let work: string;
let appStore: string;
const sessions: HostSession[] = [];
const fastReconnect = { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 200, maxTotalMs: 60_000 };

beforeAll(async () => {
  sshd = await startSshd();
  key = sshd.newClientKey();
  work = mkdtempSync(join(tmpdir(), 'bondsmith-hsr-'));
  appStore = join(work, 'known_hosts');
  const [type, b64] = readFileSync(sshd.hostKeyPub, 'utf8').trim().split(' ');
  writeFileSync(appStore, `[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

function session(overrides: Partial<HostSessionConfig> = {}): HostSession {
  const s = createHostSession({
    id: 'recovery',
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', path: key.path },
    knownHosts: { userFiles: [], appStore },
    reconnect: fastReconnect,
    ...overrides,
  });
  sessions.push(s);
  return s;
}

function waitForState(s: HostSession, pred: (st: SessionState) => boolean, ms = 30_000): Promise<SessionState> {
  if (pred(s.state)) return Promise.resolve(s.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`state stayed ${JSON.stringify(s.state)}`));
    }, ms);
    const off = s.onState((st) => {
      if (!pred(st)) return;
      clearTimeout(timer);
      off();
      resolve(st);
    });
  });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function running(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern]);
    return true;
  } catch {
    return false;
  }
}

describe('HostSession recovery against a real sshd', () => {
  it('fails a command with CONNECTION_LOST when the server dies, reconnects, and is ready once sshd is back', async () => {
    const s = session();
    const seen: SessionState[] = [];
    s.on('state', (st) => seen.push(st));
    expect((await s.connect()).state).toBe('ready');
    const marker = `sleep 31.${process.pid}`;
    const pending = s.exec(marker);
    const outcome = pending.then(() => 'resolved', (e: unknown) => e);
    // The command itself, not the shell that is still starting it.
    await until(() => running(`^${marker.replace('.', '\\.')}$`), 15_000, 'the remote command to start');

    await sshd.kill();
    expect(await outcome).toMatchObject({ code: 'CONNECTION_LOST' });
    const dropped = await waitForState(s, (st) => st.state === 'reconnecting');
    expect(dropped.reason?.code).toBe('CONNECTION_LOST');
    await expect(s.exec('true')).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    // While sshd is down, attempts are refused and the session keeps trying.
    await waitForState(s, (st) => st.state === 'reconnecting' && st.reason?.code === 'REFUSED', 10_000);

    await sshd.start();
    expect((await waitForState(s, (st) => st.state === 'ready' || st.state === 'failed')).state).toBe('ready');
    expect((await s.exec('echo back')).stdout).toBe('back\n');
    expect(seen.map((st) => st.state).filter((x, i, all) => x !== all[i - 1])).toEqual(['connecting', 'ready', 'reconnecting', 'ready']);
  });

  it('notices a silent peer through keepalives', async () => {
    const s = session({ keepaliveMs: 300, keepaliveCountMax: 2, reconnect: { ...fastReconnect, initialDelayMs: 5_000 } });
    expect((await s.connect()).state).toBe('ready');
    const thaw = sshd.freezeSessions();
    try {
      const started = Date.now();
      const dropped = await waitForState(s, (st) => st.state === 'reconnecting', 10_000);
      expect(dropped.reason?.message).toMatch(/keepalive/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      thaw();
      await s.close();
    }
  });

  it('gives up after the capped number of attempts and says so', async () => {
    const s = session({ reconnect: { initialDelayMs: 50, maxDelayMs: 100, maxAttempts: 3, maxTotalMs: 10_000 } });
    expect((await s.connect()).state).toBe('ready');
    const refusals: SessionState[] = [];
    s.on('state', (st) => st.reason?.code === 'REFUSED' && st.state === 'reconnecting' && refusals.push(st));
    await sshd.kill();
    try {
      const failed = await waitForState(s, (st) => st.state === 'failed', 15_000);
      expect(failed.reason?.code).toBe('REFUSED');
      expect(failed.reason?.message).toMatch(/^Gave up reconnecting to root@127\.0\.0\.1:\d+ after \d+ s: /);
      expect(refusals).toHaveLength(3);
    } finally {
      await sshd.start();
    }
    expect((await s.connect()).state).toBe('ready');
  });

  it('does not retry when the server stops accepting the key after a drop', async () => {
    const s = session();
    expect((await s.connect()).state).toBe('ready');
    const authorized = join(sshd.dir, 'authorized_keys');
    const keys = readFileSync(authorized, 'utf8');
    writeFileSync(authorized, '');
    const attempts: SessionState[] = [];
    s.on('state', (st) => attempts.push(st));
    try {
      await sshd.kill();
      await sshd.start();
      const failed = await waitForState(s, (st) => st.state === 'failed' || st.state === 'ready');
      expect(failed.reason?.code).toBe('AUTH_FAILED');
      // Refusals while sshd restarted may come first; after the auth failure nothing else happens.
      expect(attempts.at(-1)).toBe(failed);
      expect(attempts.filter((st) => st.reason?.code === 'AUTH_FAILED')).toHaveLength(1);
    } finally {
      writeFileSync(authorized, keys);
    }
  });

  it('stops with HOST_KEY_CHANGED naming both fingerprints when the server comes back with another key, and does not retry', async () => {
    const s = session();
    expect((await s.connect()).state).toBe('ready');
    const oldFingerprint = fingerprintOf(sshd.hostKeyPub);

    await sshd.kill();
    await sshd.start({ newHostKey: true });
    const newFingerprint = fingerprintOf(sshd.hostKeyPub);
    expect(newFingerprint).not.toBe(oldFingerprint);

    const failed = await waitForState(s, (st) => st.state === 'failed' || st.state === 'ready');
    expect(failed.state).toBe('failed');
    expect(failed.reason?.code).toBe('HOST_KEY_CHANGED');
    expect(failed.reason?.message).toContain(oldFingerprint);
    expect(failed.reason?.message).toContain(newFingerprint);
    expect(failed.hostKey).toEqual({ host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint: newFingerprint, knownFingerprint: oldFingerprint });
    await expect(s.trust()).rejects.toMatchObject({ code: 'NOTHING_TO_TRUST' });

    // A fresh session sees the same, and nothing was written to the store.
    const before = readFileSync(appStore, 'utf8');
    const other = await session().connect();
    expect(other.reason?.code).toBe('HOST_KEY_CHANGED');
    expect(readFileSync(appStore, 'utf8')).toBe(before);
  });
});
