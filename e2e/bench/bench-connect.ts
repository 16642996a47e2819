import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'ssh2';
import { createHostSession, type HostSession, type HostSessionConfig } from '../../main/ssh/host-session';
import { wrapRemoteCommand } from '../../main/shell/quote';
import { startSshd } from '../kit/sshd-fixture';
import { writeSummary } from './summary';

// One host, one local sshd: what a connection costs and what one command on an open connection
// costs, for Bondsmith's HostSession against a bare ssh2 Client and the OpenSSH client. Run as root:
//   npx tsx e2e/bench/bench-connect.ts [--runs R] [--commands C]
// Cold rows: R connects each (default 20), the methods alternating. Warm rows: C commands each
// (default 50) on one open connection per method, in blocks of 10 back-to-back commands, the methods
// taking turns block by block, so a burst of load elsewhere on the machine hits every row alike.
// Back to back matters: a command sent right after the previous one closed is where Nagle's
// algorithm waits for the server's delayed ACK. See e2e/bench/README.md.

const { values } = parseArgs({ options: { runs: { type: 'string' }, commands: { type: 'string' }, summary: { type: 'string' } }, allowPositionals: true });
const runs = bounded('--runs', values.runs, 20, 200);
const commands = bounded('--commands', values.commands, 50, 1000);
const BLOCK = 10;
const STDIN = '{"step":1,"args":["bond0"]}';

function bounded(flag: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${flag} must be a whole number from 1 to ${max} (got "${raw}")`);
  return n;
}

function at(sorted: readonly number[], p: number): number {
  // Nearest-rank percentile.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function median(samples: readonly number[]): number {
  return at([...samples].sort((a, b) => a - b), 50);
}

function stats(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `median ${at(sorted, 50).toFixed(1)} ms, p90 ${at(sorted, 90).toFixed(1)} ms (min ${(sorted[0] ?? NaN).toFixed(1)}, max ${(sorted.at(-1) ?? NaN).toFixed(1)}, n=${sorted.length})`;
}

function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

function openssh(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ssh', [...args], { timeout: 30_000 }, (err, _out, stderr) => (err ? reject(new Error(`ssh failed: ${stderr}`)) : resolve()));
    child.stdin?.end(); // EOF ends the sftp subsystem session
  });
}

interface BareTarget {
  readonly port: number;
  readonly user: string;
  readonly key: Buffer;
  readonly hostKey: Buffer;
}

/**
 * A bare ssh2 Client on a TCP socket we open ourselves, with Nagle's algorithm on or off: the
 * floor a wrapper around ssh2 can reach. Same auth shortcut as Bondsmith (publickey only).
 */
function bareConnect(t: BareTarget, noDelay: boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect({ host: '127.0.0.1', port: t.port, noDelay });
    const c = new Client();
    c.on('error', reject);
    c.once('ready', () => resolve(c));
    c.connect({ sock, username: t.user, privateKey: t.key, authHandler: ['publickey'], hostVerifier: (blob: Buffer) => blob.equals(t.hostKey) });
  });
}

/** One exec the way Bondsmith runs one: both streams consumed, stdin written and ended, done on 'close'. */
function bareExec(c: Client, command: string, stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(err);
      stream.on('data', () => undefined);
      stream.stderr.on('data', () => undefined);
      stream.on('close', () => resolve());
      if (stdin === undefined) stream.end();
      else stream.end(stdin);
    });
  });
}

function bareEnd(c: Client): Promise<void> {
  return new Promise((resolve) => {
    c.once('close', () => resolve());
    c.end();
  });
}

/**
 * ssh2 connect + a session channel that runs no shell: the internal-sftp subsystem, opened and
 * closed. Separates client and protocol cost from the login shell's startup on the server.
 */
async function bareSubsystem(t: BareTarget): Promise<void> {
  const c = await bareConnect(t, true);
  await new Promise<void>((resolve, reject) => {
    c.subsys('sftp', (err, stream) => {
      if (err) return reject(err);
      stream.on('data', () => undefined);
      stream.stderr.on('data', () => undefined);
      stream.on('close', () => resolve());
      stream.end();
    });
  });
  await bareEnd(c);
}

async function ready(s: HostSession, label: string): Promise<HostSession> {
  const st = await s.connect();
  if (st.state !== 'ready') throw new Error(`${label}: ${JSON.stringify(st.reason)}`);
  return s;
}

// internal-sftp runs inside sshd: a session channel without the user's login shell.
const sshd = await startSshd(['Subsystem sftp internal-sftp']);
const cleanups: Array<() => Promise<void>> = [];
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the benchmark's sshd`);
    void sshd.stop().finally(() => process.exit(130));
  });
}
try {
  const loadBefore = load();
  const key = sshd.newClientKey();
  const [type, b64] = readFileSync(sshd.hostKeyPub, 'utf8').trim().split(' ');
  const knownHosts = join(sshd.dir, 'bench_known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
  const config: HostSessionConfig = { id: 'bench', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key', path: key.path }, knownHosts: { userFiles: [], appStore: knownHosts } };
  const base = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', key.path, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(sshd.port)];
  const target = `${sshd.user}@127.0.0.1`;
  const bare: BareTarget = { port: sshd.port, user: sshd.user, key: readFileSync(key.path), hostKey: Buffer.from(b64 ?? '', 'base64') };

  // ---- cold: a new connection each time ----------------------------------------------------------
  const cold = { hsReady: [] as number[], hsExec: [] as number[], bareExec: [] as number[], ssh: [] as number[], bareSftp: [] as number[], sshSftp: [] as number[] };
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const s = createHostSession(config);
    await ready(s, 'HostSession');
    cold.hsReady.push(performance.now() - t0);
    await s.exec('true');
    cold.hsExec.push(performance.now() - t0);
    await s.close();

    t0 = performance.now();
    const c = await bareConnect(bare, true);
    await bareExec(c, 'true');
    cold.bareExec.push(performance.now() - t0);
    await bareEnd(c);

    t0 = performance.now();
    await openssh([...base, target, 'true']);
    cold.ssh.push(performance.now() - t0);

    t0 = performance.now();
    await bareSubsystem(bare);
    cold.bareSftp.push(performance.now() - t0);

    t0 = performance.now();
    await openssh([...base, '-s', target, 'sftp']);
    cold.sshSftp.push(performance.now() - t0);
  }

  // ---- warm: commands on connections that are already open ---------------------------------------
  const hs = await ready(createHostSession(config), 'HostSession');
  cleanups.push(() => hs.close());
  // ProxyJump through the same sshd: the jump session's TCP socket carries the target's session.
  const viaJump = await ready(createHostSession({ ...config, id: 'bench-via-jump', jump: { ...config, id: 'bench-jump' } }), 'HostSession via jump');
  cleanups.push(() => viaJump.close());
  const fast = await bareConnect(bare, true);
  cleanups.push(() => bareEnd(fast));
  const nagle = await bareConnect(bare, false);
  cleanups.push(() => bareEnd(nagle));
  const controlPath = join(sshd.dir, 'cm');
  const cm = [...base, '-o', `ControlPath=${controlPath}`];
  await openssh([...cm, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-f', '-N', target]);
  cleanups.push(() => openssh([...cm, '-O', 'exit', target]).catch(() => undefined));

  const wrapped = wrapRemoteCommand('true');
  const warmRows: Array<{ label: string; run: () => Promise<unknown>; samples: number[] }> = [
    { label: "HostSession exec 'true'", run: () => hs.exec('true'), samples: [] },
    { label: "HostSession via jump host exec 'true'", run: () => viaJump.exec('true'), samples: [] },
    { label: "bare ssh2, noDelay, exec 'true'", run: () => bareExec(fast, 'true'), samples: [] },
    { label: `bare ssh2, noDelay, exec "${wrapped}"`, run: () => bareExec(fast, wrapped), samples: [] },
    { label: "bare ssh2, Nagle on (Node default), exec 'true'", run: () => bareExec(nagle, 'true'), samples: [] },
    { label: "OpenSSH ControlMaster: 'ssh -S … true' (new client process)", run: () => openssh([...cm, '-o', 'ControlMaster=no', target, 'true']), samples: [] },
    // Input on stdin (ExecOptions.stdin, a JSON document say): the data and the EOF leave as two small packets.
    { label: "HostSession exec 'cat >/dev/null' with stdin", run: () => hs.exec('cat >/dev/null', { stdin: STDIN }), samples: [] },
    { label: "bare ssh2, noDelay, exec 'cat >/dev/null' with stdin", run: () => bareExec(fast, 'cat >/dev/null', STDIN), samples: [] },
    { label: "bare ssh2, Nagle on, exec 'cat >/dev/null' with stdin", run: () => bareExec(nagle, 'cat >/dev/null', STDIN), samples: [] },
  ];
  for (const row of warmRows) await row.run(); // first channel of each connection: not counted
  // Blocks of back-to-back commands (as an apply's steps run), the rows taking turns block by block.
  for (let done = 0; done < commands; done += BLOCK) {
    for (const row of warmRows) {
      for (let i = done; i < Math.min(commands, done + BLOCK); i++) {
        const t0 = performance.now();
        await row.run();
        row.samples.push(performance.now() - t0);
      }
    }
  }

  const width = Math.max(...warmRows.map((r) => r.label.length), 48);
  const line = (label: string, samples: readonly number[]): string => `  ${label.padEnd(width)} : ${stats(samples)}`;
  console.log(`sshd: OpenSSH on 127.0.0.1:${sshd.port}; load average before ${loadBefore}, after ${load()} (1/5/15 min)`);
  console.log(`cold, a new connection each time (${runs} runs, alternating):`);
  console.log(line('HostSession connect -> ready', cold.hsReady));
  console.log(line("HostSession connect + exec 'true'", cold.hsExec));
  console.log(line("bare ssh2 (noDelay) connect + exec 'true'", cold.bareExec));
  console.log(line("OpenSSH 'ssh -o BatchMode=yes … true'", cold.ssh));
  console.log(line('bare ssh2 connect + no-shell session (sftp)', cold.bareSftp));
  console.log(line("OpenSSH 'ssh -s … sftp' (no shell)", cold.sshSftp));
  console.log(`warm, one command on an open connection (${commands} commands each, blocks of ${BLOCK} back to back):`);
  for (const row of warmRows) console.log(line(row.label, row.samples));
  const [hsRow, jumpRow, fastRow, wrappedRow, , cmRow, hsStdin, fastStdin] = warmRows.map((r) => median(r.samples));
  const ratio = (a: number | undefined, b: number | undefined): string => ((a ?? NaN) / (b ?? NaN)).toFixed(2);
  console.log('ratios of medians:');
  console.log(`  HostSession warm 'true' / bare noDelay 'true'         : ${ratio(hsRow, fastRow)} (target <= 1.5)`);
  console.log(`  HostSession warm 'true' / bare noDelay wrapped 'true' : ${ratio(hsRow, wrappedRow)} (the client side alone: same remote command)`);
  console.log(`  via jump host / bare noDelay 'true'                   : ${ratio(jumpRow, fastRow)}`);
  console.log(`  HostSession with stdin / bare noDelay with stdin      : ${ratio(hsStdin, fastStdin)}`);
  console.log(`  HostSession warm / OpenSSH ControlMaster              : ${ratio(hsRow, cmRow)}`);
  console.log(`  OpenSSH / HostSession, connect + exec                 : ${ratio(median(cold.ssh), median(cold.hsExec))}`);
  if (values.summary) {
    writeSummary(values.summary, [
      { phase: 'P0', row: "warm command: HostSession exec 'true'", value: hsRow ?? NaN, unit: 'ms', includes: 'one command on an open session, back to back (median)', anchor: { row: "bare ssh2, noDelay, exec 'true'", value: fastRow ?? NaN }, target: '<= 1.5' },
      { phase: 'P0', row: 'warm command through a jump host', value: jumpRow ?? NaN, unit: 'ms', includes: 'the same over a ProxyJump session', anchor: { row: "bare ssh2, noDelay, exec 'true'", value: fastRow ?? NaN } },
      { phase: 'P0', row: "cold: HostSession connect + exec 'true'", value: median(cold.hsExec), unit: 'ms', includes: 'TCP, key exchange, host key, key auth, one command', anchor: { row: "OpenSSH 'ssh ... true'", value: median(cold.ssh) } },
    ]);
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await sshd.stop();
}
