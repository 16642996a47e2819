import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState, DiscoveryResult, EventName, HostFacts, HostKeyInfo, HostView } from '../../preload/contract';
import { AppFailure } from '../errors';
import type { ConnectionFactory, ConnectionSnapshot, ConnectionTarget, HostConnection } from '../ssh/connection';
import { HostStore, type StoredHost } from '../store/host-store';
import { SecretStore } from '../store/secret-store';
import { EventHub, type EventSink } from './event-sink';
import { HostService } from './host-service';
import { SessionService, type DescribeHost, type Discover } from './session-service';

// The session service over hand-driven fake connections (the lab tests in sessions.itest.ts run it
// against real sshd): a test moves each connection through its states and resolves discovery when
// it chooses, so ordering is explicit and nothing waits on a clock.

/** A connection that does only what the test tells it to; connect() announces "connecting" as the real one does. */
class FakeConnection implements HostConnection {
  private current: ConnectionSnapshot = { state: 'idle', reason: null, hostKey: null };
  private readonly listeners = new Set<(snapshot: ConnectionSnapshot) => void>();
  connectCalls = 0;
  trustCalls = 0;
  closed = false;
  /** Unsubscribing does nothing: a connection that still reports to the service after it was replaced. */
  keepsListeners = false;

  constructor(readonly target: ConnectionTarget) {}

  snapshot(): ConnectionSnapshot {
    return this.current;
  }

  onState(listener: (snapshot: ConnectionSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => {
      if (!this.keepsListeners) this.listeners.delete(listener);
    };
  }

  connect(): void {
    this.connectCalls += 1;
    this.goTo({ state: 'connecting', reason: null, hostKey: null });
  }

  trust(): Promise<void> {
    this.trustCalls += 1;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  exec(): never {
    throw new Error('the session service never runs commands itself');
  }

  openFresh(): never {
    throw new Error('the session service never opens a second connection');
  }

  goTo(next: ConnectionSnapshot): void {
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}

const ready: ConnectionSnapshot = { state: 'ready', reason: null, hostKey: null };

function failed(code: string, message: string): ConnectionSnapshot {
  return { state: 'failed', reason: { code, message }, hostKey: null };
}

function awaitingTrust(hostKey: HostKeyInfo): ConnectionSnapshot {
  return { state: 'awaiting-trust', reason: { code: 'HOST_KEY_UNKNOWN', message: 'First contact' }, hostKey };
}

const firstContactKey: HostKeyInfo = { host: 'nas1.lan', port: 22, keyType: 'ssh-ed25519', fingerprint: 'SHA256:presented', knownFingerprint: null };

function factsNamed(hostname: string): HostFacts {
  return {
    collectedAt: '2024-05-01T10:00:00.000Z',
    hostname,
    os: { kind: 'linux', pretty: 'Debian GNU/Linux 12', kernel: '6.1.0-21-amd64', truenasVersion: null },
    interfaces: [],
    bonds: [],
    defaultRoutes: [],
    management: { nic: null, address: null, clientAddress: null },
    middleware: null,
    stack: { manager: 'ifupdown', version: null, renderer: null, managedDevices: [], bonding: 'loaded' },
    warnings: [],
  };
}

/** What a driver would say about the facts; names the host so a test can tell whose reading it is. */
function viewOf(facts: HostFacts): HostView {
  return { driver: { kind: 'linux-ifupdown', label: `ifupdown on ${facts.hostname}` }, stack: 'ifupdown', bonding: 'loaded', readOnlyReason: null, bonds: [], pending: [] };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface SessionDeps {
  readonly store: HostStore;
  readonly secrets: SecretStore;
  readonly events: EventSink;
  readonly factory: ConnectionFactory;
  readonly discover: Discover;
  readonly describeHost: DescribeHost;
}

/** The one place the service is constructed, so a change to its constructor is a one-line edit. */
function makeSessions(deps: SessionDeps): SessionService {
  return new SessionService(deps.store, deps.secrets, deps.events, deps.factory, deps.discover, deps.describeHost);
}

const dataDirs: string[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function makeWorld() {
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-session-service-'));
  dataDirs.push(dataDir);
  const store = new HostStore(dataDir);
  await store.load();
  const secrets = new SecretStore(dataDir, null);
  const events = new EventHub();
  const heard: { event: EventName; payload: unknown }[] = [];
  events.subscribe((event, payload) => heard.push({ event, payload }));
  const connections: FakeConnection[] = [];
  const factory: ConnectionFactory = (target) => {
    const connection = new FakeConnection(target);
    connections.push(connection);
    return connection;
  };
  const discover = vi.fn<Discover>((_connection, hostId) => Promise.resolve(factsNamed(`box-${hostId}`)));
  const describeHost = vi.fn<DescribeHost>(viewOf);
  const sessions = makeSessions({ store, secrets, events, factory, discover, describeHost });

  const addHost = async (over: Partial<Omit<StoredHost, 'id'>> = {}): Promise<string> => {
    const host = await store.add({ label: 'nas1', address: 'nas1.lan', port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false, ...over });
    return host.id;
  };
  const connectionOf = (hostId: string): FakeConnection => {
    const connection = connections.filter((c) => c.target.id === hostId).at(-1);
    if (!connection) throw new Error(`no connection was opened for ${hostId}`);
    return connection;
  };
  const readyHost = async (over: Partial<Omit<StoredHost, 'id'>> = {}): Promise<string> => {
    const id = await addHost(over);
    await sessions.connect(id);
    connectionOf(id).goTo(ready);
    return id;
  };
  const statesHeard = (hostId: string): string[] =>
    heard.filter((h) => h.event === 'session.state' && (h.payload as ConnectionState).hostId === hostId).map((h) => (h.payload as ConnectionState).state);
  const resultsHeard = (): DiscoveryResult[] => heard.filter((h) => h.event === 'discovery.result').map((h) => h.payload as DiscoveryResult);

  return { store, secrets, events, sessions, connections, discover, describeHost, addHost, connectionOf, readyHost, statesHeard, resultsHeard };
}

describe('SessionService: connecting', () => {
  it('announces every state the connection goes through', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    const state = await world.sessions.connect(id);
    world.connectionOf(id).goTo(ready);

    expect(state).toMatchObject({ hostId: id, state: 'connecting', reason: null, hostKey: null });
    expect(world.statesHeard(id)).toEqual(['connecting', 'ready']);
    expect(world.sessions.states()).toEqual([expect.objectContaining({ hostId: id, state: 'ready' })]);
  });

  it('carries the reason of a failure in the state it announces', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    await world.sessions.connect(id);
    world.connectionOf(id).goTo(failed('AUTH_FAILED', 'The server refused the key'));

    expect(world.sessions.states()).toEqual([
      expect.objectContaining({ hostId: id, state: 'failed', reason: { code: 'AUTH_FAILED', message: 'The server refused the key' } }),
    ]);
  });

  it('returns without waiting for the connection to settle, so hosts connect side by side', async () => {
    const world = await makeWorld();
    const slow = await world.addHost({ label: 'slow' });
    const quick = await world.addHost({ label: 'quick' });

    const states = await Promise.all([world.sessions.connect(slow), world.sessions.connect(quick)]);

    expect(states.map((s) => s.state)).toEqual(['connecting', 'connecting']);
    world.connectionOf(quick).goTo(ready);
    expect(world.statesHeard(quick)).toEqual(['connecting', 'ready']);
    expect(world.statesHeard(slow)).toEqual(['connecting']);
  });

  it('lets a host that fails leave another host ready and usable', async () => {
    const world = await makeWorld();
    const dead = await world.addHost({ label: 'dead', address: 'dead.lan' });
    const good = await world.readyHost({ label: 'good', address: 'good.lan' });
    await world.sessions.connect(dead);

    world.connectionOf(dead).goTo(failed('UNREACHABLE', 'No route to host'));

    expect(world.connectionOf(good).closed).toBe(false);
    expect(world.sessions.states().find((s) => s.hostId === good)?.state).toBe('ready');
    expect((await world.sessions.refresh(good)).facts?.hostname).toBe(`box-${good}`);
    await expect(world.sessions.refresh(dead)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('keeps a live session instead of opening a second one', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();

    const state = await world.sessions.connect(id);

    expect(state.state).toBe('ready');
    expect(world.connections).toHaveLength(1);
    expect(world.connectionOf(id).connectCalls).toBe(1);
  });

  it('shares one connection between connects to one host that overlap, and dispose closes it', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    const [first, second] = await Promise.all([world.sessions.connect(id), world.sessions.connect(id)]);
    world.connections[0]?.goTo(ready);

    expect(world.connections).toHaveLength(1);
    expect(second).toEqual(first);
    expect(world.sessions.states()).toEqual([expect.objectContaining({ hostId: id, state: 'ready' })]);
    await world.sessions.dispose();
    expect(world.connections.every((c) => c.closed)).toBe(true);
  });

  it('closes a connection whose connect was still being set up when the service was disposed', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    const connecting = world.sessions.connect(id);
    await world.sessions.dispose();
    await connecting;

    expect(world.connections).toHaveLength(1);
    expect(world.connectionOf(id).closed).toBe(true);
    expect(world.sessions.states()).toEqual([]);
  });

  it('never lets a connection it no longer holds change the host state', async () => {
    const world = await makeWorld();
    const id = await world.addHost();
    await world.sessions.connect(id);
    const first = world.connectionOf(id);
    first.keepsListeners = true;
    first.goTo(failed('UNREACHABLE', 'No route to host'));

    await world.sessions.connect(id);
    first.goTo(ready);

    expect(world.sessions.states()).toEqual([expect.objectContaining({ hostId: id, state: 'connecting' })]);
  });

  it('after a failure starts over on a new connection, closes the old one and stops listening to it', async () => {
    const world = await makeWorld();
    const id = await world.addHost();
    await world.sessions.connect(id);
    const first = world.connectionOf(id);
    first.goTo(failed('UNREACHABLE', 'No route to host'));

    await world.sessions.connect(id);
    const second = world.connectionOf(id);
    first.goTo(ready);

    expect(second).not.toBe(first);
    expect(first.closed).toBe(true);
    expect(world.sessions.connection(id)).toBe(second);
    expect(world.sessions.states()).toEqual([expect.objectContaining({ hostId: id, state: 'connecting' })]);
    expect(world.statesHeard(id)).toEqual(['connecting', 'failed', 'connecting']);
  });

  it('on disconnect closes the connection, announces idle and no longer reports the old connection', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    const connection = world.connectionOf(id);

    const state = await world.sessions.disconnect(id);
    connection.goTo(failed('CLOSED', 'closed'));

    expect(state).toMatchObject({ hostId: id, state: 'idle', reason: null, hostKey: null });
    expect(connection.closed).toBe(true);
    expect(world.statesHeard(id)).toEqual(['connecting', 'ready', 'idle']);
    expect(world.sessions.states()).toEqual([]);
    expect(world.sessions.connection(id)).toBeUndefined();
  });

  it('refuses a host that is not in the list', async () => {
    const world = await makeWorld();

    await expect(world.sessions.connect('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(world.connections).toEqual([]);
  });
});

describe('SessionService: what it asks the SSH layer to connect to', () => {
  it('connects an agent host directly, with no jump', async () => {
    const world = await makeWorld();
    const id = await world.addHost({ address: '192.0.2.10', port: 2222, user: 'admin' });

    await world.sessions.connect(id);

    expect(world.connectionOf(id).target).toEqual({ id, address: '192.0.2.10', port: 2222, user: 'admin', auth: { kind: 'agent' }, jump: null });
  });

  it('expands a key path under the home directory and passes the stored passphrase', async () => {
    vi.stubEnv('HOME', '/home/operator');
    const world = await makeWorld();
    const id = await world.addHost({ auth: { kind: 'key', keyPath: '~/.ssh/id_ed25519' } });
    await world.secrets.set(id, 'open sesame');

    await world.sessions.connect(id);

    expect(world.connectionOf(id).target.auth).toEqual({ kind: 'key', path: '/home/operator/.ssh/id_ed25519', passphrase: 'open sesame' });
  });

  it('passes a key without a passphrase when none is stored', async () => {
    const world = await makeWorld();
    const id = await world.addHost({ auth: { kind: 'key', keyPath: '/keys/nas1' } });

    await world.sessions.connect(id);

    expect(world.connectionOf(id).target.auth).toEqual({ kind: 'key', path: '/keys/nas1' });
  });

  it('passes the stored password of a password host', async () => {
    const world = await makeWorld();
    const id = await world.addHost({ auth: { kind: 'password' } });
    await world.secrets.set(id, 'hunter2');

    await world.sessions.connect(id);

    expect(world.connectionOf(id).target.auth).toEqual({ kind: 'password', password: 'hunter2' });
  });

  it('refuses a password host with no stored password before opening anything', async () => {
    const world = await makeWorld();
    const id = await world.addHost({ user: 'admin', address: 'nas1.lan', auth: { kind: 'password' } });

    await expect(world.sessions.connect(id)).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
      field: 'auth.password',
      message: expect.stringContaining('admin@nas1.lan') as unknown,
    });
    expect(world.connections).toEqual([]);
    expect(world.sessions.states()).toEqual([]);
  });

  it('builds the chain of jump hosts, each with its own credentials', async () => {
    const world = await makeWorld();
    const outer = await world.addHost({ label: 'outer', address: 'outer.example', user: 'jump' });
    const inner = await world.addHost({ label: 'inner', address: '10.0.0.1', user: 'ops', auth: { kind: 'password' }, jumpHostId: outer });
    await world.secrets.set(inner, 'inner-password');
    const target = await world.addHost({ label: 'nas', address: '10.0.1.5', jumpHostId: inner });

    await world.sessions.connect(target);

    expect(world.connections).toHaveLength(1);
    expect(world.connectionOf(target).target).toEqual({
      id: target,
      address: '10.0.1.5',
      port: 22,
      user: 'root',
      auth: { kind: 'agent' },
      jump: {
        id: inner,
        address: '10.0.0.1',
        port: 22,
        user: 'ops',
        auth: { kind: 'password', password: 'inner-password' },
        jump: { id: outer, address: 'outer.example', port: 22, user: 'jump', auth: { kind: 'agent' }, jump: null },
      },
    });
  });

  it('refuses the whole chain when a jump host needs a password it does not have', async () => {
    const world = await makeWorld();
    const jump = await world.addHost({ label: 'bastion', user: 'ops', address: 'bastion.lan', auth: { kind: 'password' } });
    const id = await world.addHost({ jumpHostId: jump });

    await expect(world.sessions.connect(id)).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED', message: expect.stringContaining('ops@bastion.lan') as unknown });
    expect(world.connections).toEqual([]);
  });

  it('refuses jump hosts that lead back to the host with JUMP_LOOP, naming that host', async () => {
    const world = await makeWorld();
    const a = await world.addHost({ label: 'a' });
    const b = await world.addHost({ label: 'b', jumpHostId: a });
    const stored = world.store.get(a);
    if (!stored) throw new Error('host a vanished');
    await world.store.update(a, { ...stored, jumpHostId: b });

    await expect(world.sessions.connect(a)).rejects.toMatchObject({
      code: 'JUMP_LOOP',
      field: 'jumpHostId',
      message: 'The jump host chain of a loops or is too long.',
    });
    expect(world.connections).toEqual([]);
  });

  it('accepts four jump hosts in a chain and refuses a fifth with JUMP_LOOP', async () => {
    const world = await makeWorld();
    let previous: string | null = null;
    const chain: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      previous = await world.addHost({ label: `hop${i}`, jumpHostId: previous });
      chain.push(previous);
    }
    const [, , , , fourJumps, fiveJumps] = chain as [string, string, string, string, string, string];

    await world.sessions.connect(fourJumps);
    await expect(world.sessions.connect(fiveJumps)).rejects.toMatchObject({ code: 'JUMP_LOOP' });

    let hops = 0;
    for (let t = world.connectionOf(fourJumps).target.jump; t; t = t.jump) hops += 1;
    expect(hops).toBe(4);
  });
});

describe('SessionService: trusting a host key', () => {
  it('hands a first-contact key to the connection when the fingerprint is the one shown', async () => {
    const world = await makeWorld();
    const id = await world.addHost();
    await world.sessions.connect(id);
    world.connectionOf(id).goTo(awaitingTrust(firstContactKey));

    const state = await world.sessions.trust(id, 'SHA256:presented');

    expect(world.connectionOf(id).trustCalls).toBe(1);
    expect(state).toMatchObject({ hostId: id, state: 'awaiting-trust', hostKey: firstContactKey });
  });

  it('refuses a changed host key even when asked with its fingerprint', async () => {
    const world = await makeWorld();
    const id = await world.addHost();
    await world.sessions.connect(id);
    world.connectionOf(id).goTo(awaitingTrust({ ...firstContactKey, knownFingerprint: 'SHA256:remembered' }));

    await expect(world.sessions.trust(id, 'SHA256:presented')).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    expect(world.connectionOf(id).trustCalls).toBe(0);
  });

  it('refuses a fingerprint other than the one the host presented', async () => {
    const world = await makeWorld();
    const id = await world.addHost();
    await world.sessions.connect(id);
    world.connectionOf(id).goTo(awaitingTrust(firstContactKey));

    await expect(world.sessions.trust(id, 'SHA256:something-else')).rejects.toMatchObject({ code: 'FINGERPRINT_MISMATCH' });
    expect(world.connectionOf(id).trustCalls).toBe(0);
  });

  it('refuses when the host is not waiting for a key decision', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();

    await expect(world.sessions.trust(id, 'SHA256:presented')).rejects.toMatchObject({ code: 'NOTHING_TO_TRUST' });
    await expect(world.sessions.trust('never-connected', 'SHA256:presented')).rejects.toMatchObject({ code: 'NOTHING_TO_TRUST' });
    expect(world.connectionOf(id).trustCalls).toBe(0);
  });
});

describe('SessionService: discovery', () => {
  it('refuses to discover on a host that is not ready, with NOT_CONNECTED', async () => {
    const world = await makeWorld();
    const id = await world.addHost();

    await expect(world.sessions.refresh(id)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await world.sessions.connect(id);
    await expect(world.sessions.refresh(id)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    expect(world.discover).not.toHaveBeenCalled();
  });

  it('discovers over the host connection and reports the facts with the driver reading, as a result and an event', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();

    const result = await world.sessions.refresh(id);

    expect(world.discover).toHaveBeenCalledWith(world.connectionOf(id), id);
    expect(result).toMatchObject({
      hostId: id,
      facts: factsNamed(`box-${id}`),
      view: viewOf(factsNamed(`box-${id}`)),
      error: null,
      durationMs: expect.any(Number) as unknown,
    });
    expect(world.resultsHeard()).toEqual([result]);
    expect(world.sessions.latestResults()).toEqual([result]);
  });

  it('hands a caller who arrives while a run is going the next run, shared by all who arrive meanwhile', async () => {
    // A run already going may have read the box before the caller's change (seen in the lab: a plan
    // joined the refresh that followed the previous apply and found that apply's edits unsaved).
    const world = await makeWorld();
    const id = await world.readyHost();
    const run = deferred<HostFacts>();
    world.discover.mockReturnValueOnce(run.promise).mockResolvedValueOnce(factsNamed('second-run'));

    const first = world.sessions.refresh(id);
    const second = world.sessions.refresh(id);
    const third = world.sessions.refresh(id);
    expect(world.discover).toHaveBeenCalledTimes(1);
    run.resolve(factsNamed('first-run'));

    expect((await first).facts?.hostname).toBe('first-run');
    expect((await second).facts?.hostname).toBe('second-run');
    expect(await third).toBe(await second);
    expect(world.discover).toHaveBeenCalledTimes(2);
    expect(world.resultsHeard()).toHaveLength(2);

    await world.sessions.refresh(id);
    expect(world.discover).toHaveBeenCalledTimes(3);
  });

  it('starts the next run even when the one going fails', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    const run = deferred<HostFacts>();
    world.discover.mockReturnValueOnce(run.promise).mockResolvedValueOnce(factsNamed('after'));

    const first = world.sessions.refresh(id);
    const second = world.sessions.refresh(id);
    run.reject(new Error('the box went away'));

    expect((await first).error).not.toBeNull();
    expect((await second).facts?.hostname).toBe('after');
    expect((await second).error).toBeNull();
  });

  it('runs each host on its own: a slow discovery does not hold up another host', async () => {
    const world = await makeWorld();
    const slow = await world.readyHost({ label: 'slow' });
    const quick = await world.readyHost({ label: 'quick' });
    const slowRun = deferred<HostFacts>();
    world.discover.mockImplementation((_connection, hostId) => (hostId === slow ? slowRun.promise : Promise.resolve(factsNamed('quick-box'))));

    const slowResult = world.sessions.refresh(slow);
    const quickResult = await world.sessions.refresh(quick);

    expect(quickResult.facts?.hostname).toBe('quick-box');
    expect(world.discover).toHaveBeenCalledTimes(2);
    slowRun.resolve(factsNamed('slow-box'));
    expect((await slowResult).facts?.hostname).toBe('slow-box');
  });

  it('when discovery fails keeps the facts and the driver reading found before, and reports the error beside them', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    const before = await world.sessions.refresh(id);
    world.discover.mockRejectedValueOnce(new AppFailure('DISCOVERY_FAILED', 'ip -j link timed out'));

    const after = await world.sessions.refresh(id);

    expect(after).toMatchObject({
      hostId: id,
      facts: before.facts,
      view: before.view,
      error: { code: 'DISCOVERY_FAILED', message: 'ip -j link timed out' },
      durationMs: expect.any(Number) as unknown,
    });
    expect(world.resultsHeard()).toEqual([before, after]);
    expect(world.sessions.latestResults()).toEqual([after]);
  });

  it('reports an unexpected failure on first discovery as INTERNAL, with no facts and no reading', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    world.discover.mockRejectedValueOnce(new Error('socket hang up'));

    const result = await world.sessions.refresh(id);

    expect(result.facts).toBeNull();
    expect(result.view).toBeNull();
    expect(world.describeHost).not.toHaveBeenCalled();
    expect(result.error).toEqual({ code: 'INTERNAL', message: 'Unexpected error: socket hang up' });
  });
});

describe('SessionService: a host removed from the list', () => {
  /** Removal goes through HostService, as the dispatch's hosts.remove does. */
  const hostsOf = (world: Awaited<ReturnType<typeof makeWorld>>): HostService => new HostService(world.store, world.secrets, world.events, world.sessions);

  it('closes the session, announces it idle and drops its state and discovery result', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    await world.sessions.refresh(id);

    await hostsOf(world).remove(id);

    expect(world.connectionOf(id).closed).toBe(true);
    expect(world.sessions.states()).toEqual([]);
    expect(world.sessions.latestResults()).toEqual([]);
    expect(world.sessions.connection(id)).toBeUndefined();
    expect(world.statesHeard(id)).toEqual(['connecting', 'ready', 'idle']);
  });

  it('leaves the sessions of other hosts as they were', async () => {
    const world = await makeWorld();
    const removed = await world.readyHost({ label: 'removed' });
    const kept = await world.readyHost({ label: 'kept' });
    const keptResult = await world.sessions.refresh(kept);

    await hostsOf(world).remove(removed);

    expect(world.connectionOf(kept).closed).toBe(false);
    expect(world.sessions.states()).toEqual([expect.objectContaining({ hostId: kept, state: 'ready' })]);
    expect(world.sessions.latestResults()).toEqual([keptResult]);
  });

  it('keeps no result of a discovery that was still running when the host was removed', async () => {
    const world = await makeWorld();
    const id = await world.readyHost();
    const run = deferred<HostFacts>();
    world.discover.mockReturnValueOnce(run.promise);
    const refreshing = world.sessions.refresh(id);

    await hostsOf(world).remove(id);
    run.resolve(factsNamed('late'));

    await expect(refreshing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(world.sessions.latestResults()).toEqual([]);
    expect(world.resultsHeard()).toEqual([]);
  });
});
