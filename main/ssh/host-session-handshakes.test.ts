import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttemptOutcome, AttemptTarget } from './connect-attempt';
import { createHostSession, type HostSession, type HostSessionConfig } from './host-session';
import { Semaphore } from './semaphore';
import { SshError } from './ssh-error';

// The shared handshake limit: at most `limit` handshakes at once over all sessions, queued ones
// dropped when their session closes, and a target behind a jump host never holding a slot while
// it waits for the jump host (which needs one too). The handshake itself is faked.

const attempts: Array<{ target: AttemptTarget; finish: (outcome: AttemptOutcome) => void }> = [];
let active = 0;
let peak = 0;

vi.mock('./connect-attempt', () => ({
  attemptConnect: (target: AttemptTarget) =>
    new Promise<AttemptOutcome>((resolve) => {
      active++;
      peak = Math.max(peak, active);
      attempts.push({
        target,
        finish: (outcome) => {
          active--;
          resolve(outcome);
        },
      });
    }),
  endClient: (client: FakeClient) => {
    client.end();
    return Promise.resolve();
  },
}));

class FakeClient extends EventEmitter {
  forwardOut(_srcHost: string, _srcPort: number, _dstHost: string, _dstPort: number, cb: (err: Error | undefined, stream: PassThrough) => void): void {
    cb(undefined, new PassThrough());
  }
  end(): void {
    this.emit('close');
  }
}

const refused = (): AttemptOutcome => ({ ok: false, error: new SshError('AUTH_FAILED', 'refused'), hostKey: null, presented: null });
const accepted = (): AttemptOutcome => ({ ok: true, client: new FakeClient() as never, hostKey: Buffer.from('key') });

const sessions: HostSession[] = [];
function session(id: string, handshakes: Semaphore, extra: Partial<HostSessionConfig> = {}): HostSession {
  const s = createHostSession({ id, host: `${id}.lan`, port: 22, username: 'admin', auth: { kind: 'password', password: 'x' }, knownHosts: { userFiles: [], appStore: `/nonexistent/${id}` }, handshakes, ...extra });
  sessions.push(s);
  return s;
}

/** Lets queued promises and the sessions' async steps run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  attempts.splice(0);
  active = 0;
  peak = 0;
});

describe('the shared handshake limit', () => {
  it('runs at most `limit` handshakes at once over all sessions, and every one in the end', async () => {
    const limit = new Semaphore(3);
    const all = Array.from({ length: 10 }, (_, i) => session(`h${i}`, limit));
    const states = all.map((s) => s.connect());
    await vi.waitFor(() => expect(attempts).toHaveLength(3));
    await settle();
    expect(attempts).toHaveLength(3);
    while (attempts.some((a) => a)) {
      const next = attempts.shift();
      next?.finish(refused());
      await settle();
    }
    expect((await Promise.all(states)).map((s) => s.state)).toEqual(Array(10).fill('failed'));
    expect(peak).toBe(3);
  });

  it('drops a queued handshake whose session was closed', async () => {
    const limit = new Semaphore(1);
    const first = session('first', limit);
    const queued = session('queued', limit);
    void first.connect();
    const queuedState = queued.connect();
    await vi.waitFor(() => expect(attempts.map((x) => x.target.host)).toEqual(['first.lan']));
    await settle();
    await queued.close();
    attempts.shift()?.finish(refused());
    await settle();
    expect(attempts).toHaveLength(0);
    expect((await queuedState).state).toBe('idle');
  });

  it('does not deadlock a target behind a jump host when there is a single slot', async () => {
    const limit = new Semaphore(1);
    const target = session('target', limit, { jump: { id: 'jump', host: 'jump.lan', port: 22, username: 'admin', auth: { kind: 'password', password: 'x' } } });
    const state = target.connect();
    await vi.waitFor(() => expect(attempts.map((a) => a.target.host)).toEqual(['jump.lan']));
    attempts.shift()?.finish(accepted());
    await vi.waitFor(() => expect(attempts.map((a) => a.target.host)).toEqual(['target.lan']));
    attempts.shift()?.finish(accepted());
    expect((await state).state).toBe('ready');
  });
});
