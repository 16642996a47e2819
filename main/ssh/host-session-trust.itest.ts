import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSession, type HostSession, type HostSessionConfig, type SessionState } from './host-session';
import { fingerprintOf, startSshd, type ClientKey, type SshdFixture } from '../../e2e/kit/sshd-fixture';

// Agent auth, host-key trust through a jump host, and the key pinning of openFresh, against a
// real sshd. "localhost" and "127.0.0.1" reach the same sshd under two known_hosts names.

let sshd: SshdFixture;
let key: ClientKey;
let work: string;
let agent: ChildProcess | null = null;
const agentSocket = (): string => join(work, 'agent.sock');
const sessions: HostSession[] = [];
let hostLine: (name: string) => string;

let ecdsaLine: (name: string) => string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bondsmith-hst-'));
  // A second host key, so the server can offer ECDSA as well as its ed25519 key.
  const ecdsaKey = join(work, 'ssh_host_ecdsa_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-f', ecdsaKey]);
  const [etype, eb64] = readFileSync(`${ecdsaKey}.pub`, 'utf8').trim().split(' ');
  sshd = await startSshd([`HostKey ${ecdsaKey}`]);
  ecdsaLine = (name) => `[${name}]:${sshd.port} ${etype} ${eb64}\n`;
  key = sshd.newClientKey();
  const [type, b64] = readFileSync(sshd.hostKeyPub, 'utf8').trim().split(' ');
  hostLine = (name) => `[${name}]:${sshd.port} ${type} ${b64}\n`;
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  agent?.kill();
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

let serial = 0;
function session(storeText: string, overrides: Partial<HostSessionConfig> = {}): { s: HostSession; store: string } {
  const store = join(work, `known_hosts_${serial++}`);
  writeFileSync(store, storeText);
  const s = createHostSession({
    id: `t${serial}`,
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.user,
    auth: { kind: 'key', path: key.path },
    knownHosts: { userFiles: [], appStore: store },
    ...overrides,
  });
  sessions.push(s);
  return { s, store };
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

describe('authentication through ssh-agent', () => {
  it('logs in with a key held by a real ssh-agent', async () => {
    agent = spawn('ssh-agent', ['-D', '-a', agentSocket()], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!existsSync(agentSocket())) {
      if (Date.now() > deadline) throw new Error('ssh-agent did not create its socket');
      await new Promise((r) => setTimeout(r, 25));
    }
    execFileSync('ssh-add', ['-q', key.path], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket() }, stdio: 'ignore' });
    const { s } = session(hostLine('127.0.0.1'), { auth: { kind: 'agent', socket: agentSocket() } });
    expect((await s.connect()).state).toBe('ready');
    expect((await s.exec('echo agent')).stdout).toBe('agent\n');
  });

  it('says so when there is no agent', async () => {
    const { s } = session(hostLine('127.0.0.1'), { auth: { kind: 'agent', socket: '' } });
    expect((await s.connect()).reason?.code).toBe('AGENT_UNAVAILABLE');
  });
});

describe('host keys through a jump host', () => {
  it('asks to trust an unknown jump host, stores it on trust, then reaches the target', async () => {
    // The target (localhost, seen from the jump host) is known; the jump host (127.0.0.1) is not.
    const { s, store } = session(hostLine('localhost'), {
      host: 'localhost',
      jump: { id: 'jump', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: { kind: 'key', path: key.path } },
    });
    const st = await s.connect();
    expect(st.state).toBe('awaiting-trust');
    expect(st.hostKey).toMatchObject({ host: '127.0.0.1', port: sshd.port, fingerprint: fingerprintOf(sshd.hostKeyPub) });
    expect(st.reason?.message).toContain('jump host');
    await s.trust();
    expect((await waitForState(s, (x) => x.state === 'ready' || x.state === 'failed')).state).toBe('ready');
    expect(readFileSync(store, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519`);
  });
});

describe('host key algorithm order', () => {
  it('asks for the key type known_hosts has, like OpenSSH: a host known only by ECDSA is not a first contact', async () => {
    const { s } = session(ecdsaLine('127.0.0.1'));
    expect((await s.connect()).state).toBe('ready');
    // Without that entry the server's preferred ed25519 key is what a new client sees.
    const { s: fresh } = session('');
    expect((await fresh.connect()).hostKey?.keyType).toBe('ssh-ed25519');
  });
});

describe('host key type downgrade', () => {
  // A box known by its ed25519 key that now offers only ECDSA: what a man in the middle holding
  // no ed25519 key of the box's would do. It is a changed key, not a first contact.
  let ecdsaOnly: SshdFixture;
  let ecdsaPub: string;
  beforeAll(async () => {
    const ecdsaKey = join(work, 'downgrade_ecdsa_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-f', ecdsaKey]);
    ecdsaPub = `${ecdsaKey}.pub`;
    ecdsaOnly = await startSshd([`HostKey ${ecdsaKey}`, 'HostKeyAlgorithms ecdsa-sha2-nistp256']);
  });
  afterAll(() => ecdsaOnly?.stop());

  it('refuses a host known by ed25519 that presents ECDSA as a changed key, naming both fingerprints, and trusts nothing', async () => {
    const [type = '', b64 = ''] = readFileSync(ecdsaOnly.hostKeyPub, 'utf8').trim().split(' ');
    const known = `[127.0.0.1]:${ecdsaOnly.port} ${type} ${b64}\n`;
    const { s, store } = session(known, { port: ecdsaOnly.port });
    const st = await s.connect();
    expect(st.state).toBe('failed');
    expect(st.reason?.code).toBe('HOST_KEY_CHANGED');
    expect(st.hostKey).toMatchObject({ keyType: 'ecdsa-sha2-nistp256', fingerprint: fingerprintOf(ecdsaPub), knownFingerprint: fingerprintOf(ecdsaOnly.hostKeyPub) });
    expect(st.reason?.message).toContain(fingerprintOf(ecdsaPub));
    expect(st.reason?.message).toContain(fingerprintOf(ecdsaOnly.hostKeyPub));
    expect(st.reason?.message).toContain('ssh-ed25519');
    await expect(s.trust()).rejects.toMatchObject({ code: 'NOTHING_TO_TRUST' });
    expect(readFileSync(store, 'utf8')).toBe(known);
  });
});

describe('openFresh on another address', () => {
  it('accepts the key already verified for this box at the new address without writing it anywhere', async () => {
    const { s, store } = session(hostLine('127.0.0.1'));
    await s.connect();
    const fresh = await s.openFresh({ address: 'localhost' });
    sessions.push(fresh);
    expect(fresh.state.state).toBe('ready');
    expect(readFileSync(store, 'utf8')).toBe(hostLine('127.0.0.1'));
    // Without the pinned key, the same address is a first contact.
    const { s: plain } = session(hostLine('127.0.0.1'), { host: 'localhost' });
    expect((await plain.connect()).state).toBe('awaiting-trust');
  });
});
