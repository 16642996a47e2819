import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { EventName, EventPayload, HostFacts } from '../../preload/contract';
import { AppFailure } from '../../main/errors';
import { describeHost } from '../../main/drivers/registry';
import type { ConnectionFactory, ConnectionSnapshot, ConnectionTarget, ExecOptions, ExecResult, HostConnection } from '../../main/ssh/connection';
import { AuditLog } from '../../main/store/audit-log';
import { HostStore, type StoredHost } from '../../main/store/host-store';
import { InflightStore } from '../../main/store/inflight-store';
import { SecretStore } from '../../main/store/secret-store';
import { EventHub } from '../../main/services/event-sink';
import { SessionService, type Discover } from '../../main/services/session-service';

// Test support only (imported by bond-service.test.ts and pending-service.test.ts, never by the
// app): a real SessionService over fake connections, with the real stores in a temp data directory.
// The fake box answers each command by the first rule whose substring (or pattern) it contains, the
// way session-service.test.ts hand-drives its connections: nothing waits on a clock.

export type Reply = { readonly code?: number; readonly stdout?: string; readonly stderr?: string } | Error;

export interface Rule {
  readonly match: string | RegExp;
  readonly reply: Reply | ((command: string) => Reply);
}

export interface ExecRecord {
  readonly hostId: string;
  readonly command: string;
  /** 'session' = the host's managed connection; 'fresh' = one opened with openFresh. */
  readonly via: 'session' | 'fresh';
}

/** What every host of one world answers; a test replaces `rules` or puts rules in front. */
export class FakeBox {
  rules: Rule[] = [];
  readonly log: ExecRecord[] = [];

  answer(hostId: string, command: string, via: ExecRecord['via']): Promise<ExecResult> {
    this.log.push({ hostId, command, via });
    const rule = this.rules.find((r) => (typeof r.match === 'string' ? command.includes(r.match) : r.match.test(command)));
    if (!rule) return Promise.resolve({ code: 127, signal: null, stdout: '', stderr: `fake box: no rule for ${command.slice(0, 120)}` });
    const reply = typeof rule.reply === 'function' ? rule.reply(command) : rule.reply;
    if (reply instanceof Error) return Promise.reject(reply);
    return Promise.resolve({ code: reply.code ?? 0, signal: null, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' });
  }

  commands(hostId?: string): string[] {
    return this.log.filter((r) => hostId === undefined || r.hostId === hostId).map((r) => r.command);
  }
}

export const ready: ConnectionSnapshot = { state: 'ready', reason: null, hostKey: null };

export class FakeConnection implements HostConnection {
  private current: ConnectionSnapshot;
  private readonly listeners = new Set<(snapshot: ConnectionSnapshot) => void>();
  readonly freshOnes: FakeConnection[] = [];
  closed = false;

  constructor(
    readonly target: ConnectionTarget,
    private readonly box: FakeBox,
    private readonly via: ExecRecord['via'],
  ) {
    this.current = via === 'fresh' ? ready : { state: 'idle', reason: null, hostKey: null };
  }

  snapshot(): ConnectionSnapshot {
    return this.current;
  }

  onState(listener: (snapshot: ConnectionSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(): void {
    this.goTo({ state: 'connecting', reason: null, hostKey: null });
  }

  trust(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  exec(command: string, _options?: ExecOptions): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new Error('fake connection: exec after close'));
    return this.box.answer(this.target.id, command, this.via);
  }

  openFresh(): Promise<HostConnection> {
    const fresh = new FakeConnection(this.target, this.box, 'fresh');
    this.freshOnes.push(fresh);
    return Promise.resolve(fresh);
  }

  goTo(next: ConnectionSnapshot): void {
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}

export interface Heard {
  readonly event: EventName;
  readonly payload: unknown;
}

const dataDirs: string[] = [];

/** Call from afterEach: removes every data directory made since the last call. */
export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })));
}

/** One data directory, the real stores in it, an event hub that remembers what it heard, and a fake box. */
export async function makeServiceWorld() {
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-service-world-'));
  dataDirs.push(dataDir);
  const store = new HostStore(dataDir);
  await store.load();
  const secrets = new SecretStore(dataDir, null);
  const audit = new AuditLog(dataDir);
  const inflight = new InflightStore(dataDir);
  const events = new EventHub();
  const heard: Heard[] = [];
  const waiters: { readonly test: (h: Heard) => boolean; readonly resolve: (h: Heard) => void }[] = [];
  events.subscribe((event, payload) => {
    const h = { event, payload };
    heard.push(h);
    for (const w of waiters.splice(0)) {
      if (w.test(h)) w.resolve(h);
      else waiters.push(w);
    }
  });
  const box = new FakeBox();
  const connections: FakeConnection[] = [];
  const factory: ConnectionFactory = (target) => {
    const connection = new FakeConnection(target, box, 'session');
    connections.push(connection);
    return connection;
  };
  /** What discovery finds on each host; a test changes it to change the box. */
  const factsOf = new Map<string, HostFacts>();
  const discover = vi.fn<Discover>((_connection, hostId) => {
    const facts = factsOf.get(hostId);
    return facts ? Promise.resolve(facts) : Promise.reject(new Error(`the test gave host ${hostId} no facts`));
  });
  const sessions = new SessionService(store, secrets, events, factory, discover, describeHost);

  const addHost = async (over: Partial<Omit<StoredHost, 'id'>> = {}): Promise<string> => {
    const host = await store.add({ label: 'box1', address: 'box1.lan', port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false, ...over });
    return host.id;
  };
  const connectionOf = (hostId: string): FakeConnection => {
    const connection = connections.filter((c) => c.target.id === hostId).at(-1);
    if (!connection) throw new Error(`no connection was opened for ${hostId}`);
    return connection;
  };
  /** A host with these facts, connected and ready. */
  const readyHost = async (facts: HostFacts, over: Partial<Omit<StoredHost, 'id'>> = {}): Promise<string> => {
    const id = await addHost(over);
    factsOf.set(id, facts);
    await sessions.connect(id);
    connectionOf(id).goTo(ready);
    return id;
  };
  /** The first event (already heard or still to come) that matches. */
  const nextEvent = <K extends EventName>(event: K, test: (payload: EventPayload<K>) => boolean = () => true): Promise<EventPayload<K>> => {
    const match = (h: Heard): boolean => h.event === event && test(h.payload as EventPayload<K>);
    const seen = heard.find(match);
    if (seen) return Promise.resolve(seen.payload as EventPayload<K>);
    return new Promise((resolve) => waiters.push({ test: match, resolve: (h) => resolve(h.payload as EventPayload<K>) }));
  };
  const heardOf = <K extends EventName>(event: K): EventPayload<K>[] => heard.filter((h) => h.event === event).map((h) => h.payload as EventPayload<K>);

  return { dataDir, store, secrets, audit, inflight, events, heard, box, connections, factsOf, discover, sessions, addHost, connectionOf, readyHost, nextEvent, heardOf };
}

export type ServiceWorld = Awaited<ReturnType<typeof makeServiceWorld>>;

/** The AppFailure a call refuses with (any other error is rethrown; resolving fails the test). */
export async function failureOf(action: () => unknown): Promise<AppFailure> {
  try {
    await action();
  } catch (err) {
    if (err instanceof AppFailure) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}
