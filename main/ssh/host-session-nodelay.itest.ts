import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSession, type HostSession, type HostSessionConfig } from './host-session';
import { startSshd, type ClientKey, type SshdFixture } from '../../e2e/kit/sshd-fixture';

// TCP_NODELAY on Bondsmith's SSH sockets, checked by what it is for. Each command sends a small
// JSON document on stdin: ssh2 writes the data and the EOF as two small packets, and with Nagle's
// algorithm on the second waits in the kernel for the server's delayed ACK (40 ms at least on
// Linux), as does a channel opened right after the previous one closed. Stdin makes the stall come
// on nearly every command; with `true` alone it came on a half to most of them.
//
// The yardstick runs in the same test on the same sshd: a bare ssh2 Client on a socket with Nagle
// on (Node's default), taking turns with the session in blocks of back-to-back commands, so a busy
// machine slows both alike. Measured on this 2-core machine at a load average of 7-9: the session's
// median was 10-20 ms against the yardstick's 88-94 ms, and 21-28 ms against 99-110 ms with two
// extra busy loops running; without TCP_NODELAY the session's median equals the yardstick's
// (88-94 ms, ratio 0.98-1.02). Speed itself is measured by e2e/bench/bench-connect.ts, never
// asserted here. Run as root:
//   npx vitest run --config e2e/vitest.config.ts main/ssh/host-session-nodelay

const BLOCKS = 5;
const PER_BLOCK = 10;
const STDIN = '{"step":1}';

let sshd: SshdFixture;
let key: ClientKey;
let work: string;
let config: HostSessionConfig;
let yardstick: Client;
const sessions: HostSession[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  key = sshd.newClientKey();
  work = mkdtempSync(join(tmpdir(), 'bondsmith-nodelay-'));
  const appStore = join(work, 'known_hosts');
  const [type, b64] = readFileSync(sshd.hostKeyPub, 'utf8').trim().split(' ');
  writeFileSync(appStore, `[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
  config = { id: 'nodelay', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key', path: key.path }, knownHosts: { userFiles: [], appStore } };
  const hostKey = Buffer.from(b64 ?? '', 'base64');
  yardstick = await new Promise<Client>((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.once('ready', () => resolve(c));
    const sock = tcpConnect({ host: '127.0.0.1', port: sshd.port, noDelay: false });
    c.connect({ sock, username: sshd.user, privateKey: readFileSync(key.path), authHandler: ['publickey'], hostVerifier: (blob: Buffer) => blob.equals(hostKey) });
  });
});

afterAll(async () => {
  yardstick?.end();
  await Promise.all(sessions.map((s) => s.close()));
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The same command on the yardstick: both streams read, stdin written then ended, done on close. */
function yardstickExec(): Promise<void> {
  return new Promise((resolve, reject) => {
    yardstick.exec('cat >/dev/null', (err, stream) => {
      if (err) return reject(err);
      stream.on('data', () => undefined);
      stream.stderr.on('data', () => undefined);
      stream.on('close', () => resolve());
      stream.end(STDIN);
    });
  });
}

function median(samples: number[]): number {
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}

/** Medians of back-to-back commands with stdin: the session's, and the yardstick's beside it. */
async function medians(s: HostSession): Promise<{ session: number; yardstick: number }> {
  sessions.push(s);
  expect((await s.connect()).state).toBe('ready');
  const runs: Array<{ run: () => Promise<unknown>; samples: number[] }> = [
    { run: () => s.exec('cat >/dev/null', { stdin: STDIN }).then((r) => expect(r.code).toBe(0)), samples: [] },
    { run: yardstickExec, samples: [] },
  ];
  for (const r of runs) await r.run(); // the first channel of a connection is not counted
  for (let block = 0; block < BLOCKS; block++) {
    for (const r of runs) {
      for (let i = 0; i < PER_BLOCK; i++) {
        const t0 = performance.now();
        await r.run();
        r.samples.push(performance.now() - t0);
      }
    }
  }
  return { session: median(runs[0]?.samples ?? []), yardstick: median(runs[1]?.samples ?? []) };
}

describe('HostSession sockets have TCP_NODELAY', () => {
  it('a direct connection runs back-to-back commands without waiting for delayed ACKs', async () => {
    const m = await medians(createHostSession(config));
    expect(m.session, `session median ${m.session.toFixed(1)} ms, Nagle yardstick ${m.yardstick.toFixed(1)} ms`).toBeLessThan(m.yardstick / 2);
  });

  it('so does a connection through a jump host (its packets ride the jump host socket)', async () => {
    const m = await medians(createHostSession({ ...config, id: 'nodelay-via-jump', jump: { ...config, id: 'nodelay-jump' } }));
    expect(m.session, `session median ${m.session.toFixed(1)} ms, Nagle yardstick ${m.yardstick.toFixed(1)} ms`).toBeLessThan(m.yardstick / 2);
  });
});
