import type { ConnectionState, DiscoveryResult, HostFacts, HostView } from '../../preload/contract';
import { AppFailure, toAppError } from '../errors';
import type { HostStore, StoredHost } from '../store/host-store';
import type { SecretStore } from '../store/secret-store';
import type { EventSink } from './event-sink';
import type { ConnectionFactory, ConnectionSnapshot, ConnectionTarget, HostConnection } from '../ssh/connection';
import { expandHome, MAX_JUMP_DEPTH } from './host-service';

export type Discover = (connection: HostConnection, hostId: string) => Promise<HostFacts>;
/** The host's driver's reading of fresh facts (what the renderer shows about the host). */
export type DescribeHost = (facts: HostFacts) => HostView;

interface Managed {
  readonly connection: HostConnection;
  readonly unsubscribe: () => void;
  state: ConnectionState;
}

/**
 * One live SSH session per host, each on its own: connecting or discovering one host never waits
 * on another. States and discovery results go up as events.
 */
export class SessionService {
  private readonly managed = new Map<string, Managed>();
  private readonly latest = new Map<string, DiscoveryResult>();
  private readonly inFlight = new Map<string, Promise<DiscoveryResult>>();
  /** The next run of a host, for callers that arrived while one was already going (see refresh). */
  private readonly queued = new Map<string, Promise<DiscoveryResult>>();
  private readonly connecting = new Map<string, Promise<ConnectionState>>();

  constructor(
    private readonly store: HostStore,
    private readonly secrets: SecretStore,
    private readonly events: EventSink,
    private readonly factory: ConnectionFactory,
    private readonly discover: Discover,
    private readonly describe: DescribeHost,
  ) {}

  states(): ConnectionState[] {
    return [...this.managed.values()].map((m) => m.state);
  }

  latestResults(): DiscoveryResult[] {
    return [...this.latest.values()];
  }

  connection(hostId: string): HostConnection | undefined {
    return this.managed.get(hostId)?.connection;
  }

  /** Open the host's session unless one is live; connects that overlap share one connection. */
  connect(hostId: string): Promise<ConnectionState> {
    const running = this.connecting.get(hostId);
    if (running) return running;
    const run = this.open(hostId).finally(() => this.connecting.delete(hostId));
    this.connecting.set(hostId, run);
    return run;
  }

  async trust(hostId: string, fingerprint: string): Promise<ConnectionState> {
    const managed = this.managed.get(hostId);
    const key = managed?.state.hostKey;
    if (!managed || managed.state.state !== 'awaiting-trust' || !key) {
      throw new AppFailure('NOTHING_TO_TRUST', 'This host is not waiting for a host key decision.');
    }
    if (key.knownFingerprint !== null) throw new AppFailure('HOST_KEY_CHANGED', 'A changed host key cannot be accepted from Bondsmith.');
    if (key.fingerprint !== fingerprint) {
      throw new AppFailure('FINGERPRINT_MISMATCH', 'The host presented a different key than the one shown; connect again and re-check it.');
    }
    await managed.connection.trust();
    return managed.state;
  }

  async disconnect(hostId: string): Promise<ConnectionState> {
    await this.drop(hostId);
    const state = toState(hostId, { state: 'idle', reason: null, hostKey: null });
    this.events.emit('session.state', state);
    return state;
  }

  /** The host left the list: close its session and keep nothing of it. */
  async forget(hostId: string): Promise<void> {
    const hadSession = this.managed.has(hostId) || this.connecting.has(hostId);
    await this.drop(hostId);
    this.latest.delete(hostId);
    if (hadSession) this.events.emit('session.state', toState(hostId, { state: 'idle', reason: null, hostKey: null }));
  }

  /**
   * Run discovery on a connected host and hand back what the box says now: a run already going may
   * have read the box before this call (before the change the caller wants to see), so a caller that
   * arrives while one runs gets the next run, which every caller arriving meanwhile shares.
   */
  refresh(hostId: string): Promise<DiscoveryResult> {
    const running = this.inFlight.get(hostId);
    if (!running) return this.startDiscovery(hostId);
    const queued = this.queued.get(hostId);
    if (queued) return queued;
    const next = running
      .catch(() => undefined)
      .then(() => {
        this.queued.delete(hostId);
        return this.startDiscovery(hostId);
      });
    this.queued.set(hostId, next);
    return next;
  }

  private startDiscovery(hostId: string): Promise<DiscoveryResult> {
    const run = this.runDiscovery(hostId).finally(() => {
      if (this.inFlight.get(hostId) === run) this.inFlight.delete(hostId);
    });
    this.inFlight.set(hostId, run);
    return run;
  }

  async dispose(): Promise<void> {
    const hostIds = new Set([...this.managed.keys(), ...this.connecting.keys()]);
    await Promise.all([...hostIds].map((id) => this.drop(id)));
  }

  private async open(hostId: string): Promise<ConnectionState> {
    await this.store.load();
    const existing = this.managed.get(hostId);
    if (existing && existing.state.state !== 'failed' && existing.state.state !== 'idle') return existing.state;
    if (existing) await this.close(hostId);
    const target = await this.targetFor(hostId, 0, new Set());
    const connection = this.factory(target);
    const managed: Managed = {
      connection,
      unsubscribe: connection.onState((snap) => this.update(hostId, connection, snap)),
      state: toState(hostId, connection.snapshot()),
    };
    this.managed.set(hostId, managed);
    connection.connect();
    managed.state = toState(hostId, connection.snapshot());
    return managed.state;
  }

  private async runDiscovery(hostId: string): Promise<DiscoveryResult> {
    const managed = this.managed.get(hostId);
    if (!managed || managed.state.state !== 'ready') {
      throw new AppFailure('NOT_CONNECTED', 'Connect to the host first.');
    }
    const started = Date.now();
    let result: DiscoveryResult;
    try {
      const facts = await this.discover(managed.connection, hostId);
      result = { hostId, facts, view: this.describe(facts), error: null, durationMs: Date.now() - started };
    } catch (err) {
      const previous = this.latest.get(hostId);
      result = { hostId, facts: previous?.facts ?? null, view: previous?.view ?? null, error: toAppError(err), durationMs: Date.now() - started };
    }
    if (!this.store.get(hostId)) throw new AppFailure('NOT_FOUND', 'That host is no longer in the list.');
    this.latest.set(hostId, result);
    this.events.emit('discovery.result', result);
    return result;
  }

  private update(hostId: string, from: HostConnection, snap: ConnectionSnapshot): void {
    const managed = this.managed.get(hostId);
    // A connection already replaced or closed has nothing to say about the host any more.
    if (managed?.connection !== from) return;
    managed.state = toState(hostId, snap);
    this.events.emit('session.state', managed.state);
  }

  /** Close the host's session, including one a connect still in progress is about to open. */
  private async drop(hostId: string): Promise<void> {
    await this.connecting.get(hostId)?.catch(() => undefined);
    await this.close(hostId);
  }

  private async close(hostId: string): Promise<void> {
    const managed = this.managed.get(hostId);
    if (!managed) return;
    this.managed.delete(hostId);
    managed.unsubscribe();
    await managed.connection.close().catch(() => undefined);
  }

  private async targetFor(hostId: string, depth: number, seen: Set<string>): Promise<ConnectionTarget> {
    const host = this.store.get(hostId);
    if (!host) throw new AppFailure('NOT_FOUND', 'That host is no longer in the list.');
    if (seen.has(hostId) || depth > MAX_JUMP_DEPTH) throw new AppFailure('JUMP_LOOP', `The jump host chain of ${host.label} loops or is too long.`, 'jumpHostId');
    seen.add(hostId);
    return {
      id: host.id,
      address: host.address,
      port: host.port,
      user: host.user,
      auth: await this.authFor(host),
      jump: host.jumpHostId ? await this.targetFor(host.jumpHostId, depth + 1, seen) : null,
    };
  }

  private async authFor(host: StoredHost): Promise<ConnectionTarget['auth']> {
    const secret = await this.secrets.get(host.id);
    switch (host.auth.kind) {
      case 'agent':
        return { kind: 'agent' };
      case 'key':
        return secret ? { kind: 'key', path: expandHome(host.auth.keyPath), passphrase: secret } : { kind: 'key', path: expandHome(host.auth.keyPath) };
      case 'password':
        if (!secret) throw new AppFailure('PASSWORD_REQUIRED', `Enter the password for ${host.user}@${host.address} in the host's settings.`, 'auth.password');
        return { kind: 'password', password: secret };
    }
  }
}

function toState(hostId: string, snap: ConnectionSnapshot): ConnectionState {
  return { hostId, state: snap.state, reason: snap.reason, hostKey: snap.hostKey, since: new Date().toISOString() };
}
