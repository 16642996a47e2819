import { execFile } from 'node:child_process';
import { Client } from 'ssh2';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHostSession } from '../../main/ssh/host-session';
import { startSshd } from '../kit/sshd-fixture';

// Connect + run `true`: Bondsmith's HostSession (ssh2) against the OpenSSH client, both to the
// same local sshd, alternating runs. Prints median and p90 per scenario. Run as root:
//   npx tsx e2e/bench/bench-connect.ts [runs]

const runs = Number(process.argv[2] ?? 20);

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest-rank percentiles.
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return `median ${at(50).toFixed(1)} ms, p90 ${at(90).toFixed(1)} ms (min ${(sorted[0] ?? NaN).toFixed(1)}, max ${(sorted.at(-1) ?? NaN).toFixed(1)}, n=${sorted.length})`;
}

function openssh(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('ssh', args, (err, _out, stderr) => (err ? reject(new Error(`ssh failed: ${stderr}`)) : resolve()));
    child.stdin?.end(); // EOF ends the sftp subsystem session
  });
}

/**
 * ssh2 connect + a session channel that runs no shell: the internal-sftp subsystem, opened and
 * closed. Separates client and protocol cost from the login shell's startup on the server.
 */
function ssh2Subsystem(opts: { port: number; user: string; key: Buffer; hostKey: Buffer }): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.subsys('sftp', (err, stream) => {
        if (err) return reject(err);
        stream.on('data', () => undefined);
        stream.stderr.on('data', () => undefined);
        stream.on('close', () => {
          c.once('close', () => resolve());
          c.end();
        });
        stream.end();
      });
    });
    c.connect({ host: '127.0.0.1', port: opts.port, username: opts.user, privateKey: opts.key, authHandler: ['publickey'], hostVerifier: (blob: Buffer) => blob.equals(opts.hostKey) });
  });
}

// internal-sftp runs inside sshd: a session channel without the user's login shell.
const sshd = await startSshd(['Subsystem sftp internal-sftp']);
try {
  const key = sshd.newClientKey();
  const [type, b64] = readFileSync(sshd.hostKeyPub, 'utf8').trim().split(' ');
  const knownHosts = join(sshd.dir, 'bench_known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${type} ${b64}\n`);
  const config = { id: 'bench', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key' as const, path: key.path }, knownHosts: { userFiles: [], appStore: knownHosts } };
  const sshArgs = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', key.path, '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'true'];

  const subsystemArgs = [...sshArgs.slice(0, -1), '-s', 'sftp'];
  const keyData = readFileSync(key.path);
  const hostKey = Buffer.from(b64 ?? '', 'base64');
  const rawSubsystem: number[] = [];
  const clientSubsystem: number[] = [];
  const ready: number[] = [];
  const connectExec: number[] = [];
  const client: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const s = createHostSession(config);
    const st = await s.connect();
    if (st.state !== 'ready') throw new Error(`HostSession: ${JSON.stringify(st.reason)}`);
    ready.push(performance.now() - t0);
    await s.exec('true');
    connectExec.push(performance.now() - t0);
    const t1 = performance.now();
    await s.exec('true');
    warm.push(performance.now() - t1);
    await s.close();

    t0 = performance.now();
    await openssh(sshArgs);
    client.push(performance.now() - t0);

    t0 = performance.now();
    await ssh2Subsystem({ port: sshd.port, user: sshd.user, key: keyData, hostKey });
    rawSubsystem.push(performance.now() - t0);

    t0 = performance.now();
    await openssh(subsystemArgs);
    clientSubsystem.push(performance.now() - t0);
  }
  console.log(`sshd: OpenSSH on 127.0.0.1:${sshd.port}; ${runs} runs each, alternating`);
  console.log(`ssh2 HostSession connect -> ready      : ${stats(ready)}`);
  console.log(`ssh2 HostSession connect + exec 'true' : ${stats(connectExec)}`);
  console.log(`OpenSSH 'ssh -o BatchMode=yes … true'  : ${stats(client)}`);
  console.log(`ssh2 warm exec 'true' on open session  : ${stats(warm)}`);
  console.log(`ssh2 connect + no-shell session (sftp) : ${stats(rawSubsystem)}`);
  console.log(`OpenSSH 'ssh -s … sftp' (no shell)     : ${stats(clientSubsystem)}`);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1] ?? NaN;
  console.log(`ratio (median) OpenSSH / ssh2, connect+exec: ${(median(client) / median(connectExec)).toFixed(2)}; connect+no-shell session: ${(median(clientSubsystem) / median(rawSubsystem)).toFixed(2)}`);
} finally {
  await sshd.stop();
}
