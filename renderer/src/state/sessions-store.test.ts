import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppError, ChannelResponse, ConnectionState, DiscoveryResult, Envelope, HostFacts } from '../../../preload/contract';
import { allCalls, answer, listenerCount, ok, push, refused, resetFakeApi } from '../../../e2e/kit/fake-api';
import { useSessionsStore } from './sessions-store';

// The sessions store against a scripted api: each test says what main answers, and pushes the
// events main would send through the listeners the store registered with api.on.

vi.mock('../api/api', async () => (await import('../../../e2e/kit/fake-api')).apiModule);






function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

function stateOf(hostId: string, state: ConnectionState['state'], over: Partial<ConnectionState> = {}): ConnectionState {
  return { hostId, state, reason: null, hostKey: null, since: '2024-05-01T10:00:00.000Z', ...over };
}

function facts(hostname: string): HostFacts {
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

const linuxView: DiscoveryResult['view'] = { driver: { kind: 'linux-ifupdown', label: 'Debian ifupdown' }, stack: 'ifupdown', bonding: 'loaded', readOnlyReason: null, bonds: [], pending: [] };

function resultOf(hostId: string, hostname: string, error: AppError | null = null): DiscoveryResult {
  return { hostId, facts: facts(hostname), view: linuxView, error, durationMs: 120 };
}

const pristine = useSessionsStore.getState();

beforeEach(() => {
  resetFakeApi();
  useSessionsStore.setState(pristine, true);
});

function answerEmptyStart(): void {
  answer('sessions.states', () => ok({ states: [] }));
  answer('discovery.latest', () => ok({ results: [] }));
}

describe('sessions store: starting up', () => {
  it('takes in the states and discovery results main already has', async () => {
    answer('sessions.states', () => ok({ states: [stateOf('h1', 'ready'), stateOf('h2', 'failed')] }));
    answer('discovery.latest', () => ok({ results: [resultOf('h1', 'nas1')] }));

    const stop = await useSessionsStore.getState().init();

    expect(useSessionsStore.getState().states).toEqual({ h1: stateOf('h1', 'ready'), h2: stateOf('h2', 'failed') });
    expect(useSessionsStore.getState().discovery).toEqual({ h1: resultOf('h1', 'nas1') });
    stop();
  });

  it('starts empty, without throwing, when main refuses the initial lists', async () => {
    answer('sessions.states', () => refused({ code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' }));
    answer('discovery.latest', () => refused({ code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' }));

    const stop = await useSessionsStore.getState().init();

    expect(useSessionsStore.getState().states).toEqual({});
    expect(useSessionsStore.getState().discovery).toEqual({});
    stop();
  });
});

describe('sessions store: live updates', () => {
  it('follows session state events host by host', async () => {
    answerEmptyStart();
    const stop = await useSessionsStore.getState().init();

    push('session.state', stateOf('h1', 'connecting'));
    push('session.state', stateOf('h2', 'connecting'));
    push('session.state', stateOf('h1', 'ready'));

    expect(useSessionsStore.getState().states).toEqual({ h1: stateOf('h1', 'ready'), h2: stateOf('h2', 'connecting') });
    stop();
  });

  it('follows discovery result events, the latest result per host replacing the one before', async () => {
    answer('sessions.states', () => ok({ states: [] }));
    answer('discovery.latest', () => ok({ results: [resultOf('h1', 'old-name')] }));
    const stop = await useSessionsStore.getState().init();

    push('discovery.result', resultOf('h1', 'new-name'));

    expect(useSessionsStore.getState().discovery).toEqual({ h1: resultOf('h1', 'new-name') });
    stop();
  });

  it('listens from before the initial lists are asked for, so no event in between is missed', async () => {
    const states = deferred<Envelope<ChannelResponse<'sessions.states'>>>();
    answer('sessions.states', () => states.promise);
    answer('discovery.latest', () => ok({ results: [] }));

    const starting = useSessionsStore.getState().init();
    push('session.state', stateOf('h2', 'connecting'));
    states.resolve(ok({ states: [stateOf('h1', 'ready')] }));
    const stop = await starting;

    expect(useSessionsStore.getState().states).toEqual({ h1: stateOf('h1', 'ready'), h2: stateOf('h2', 'connecting') });
    stop();
  });

  it('keeps a state event that came in while the initial list was on its way over the older state in that list', async () => {
    const states = deferred<Envelope<ChannelResponse<'sessions.states'>>>();
    answer('sessions.states', () => states.promise);
    answer('discovery.latest', () => ok({ results: [] }));

    const starting = useSessionsStore.getState().init();
    push('session.state', stateOf('h1', 'ready', { since: '2024-05-01T10:00:05.000Z' }));
    states.resolve(ok({ states: [stateOf('h1', 'connecting'), stateOf('h2', 'failed')] }));
    const stop = await starting;

    expect(useSessionsStore.getState().states).toEqual({ h1: stateOf('h1', 'ready', { since: '2024-05-01T10:00:05.000Z' }), h2: stateOf('h2', 'failed') });
    stop();
  });

  it('keeps a discovery result event that came in while the initial results were on their way', async () => {
    const latest = deferred<Envelope<ChannelResponse<'discovery.latest'>>>();
    answer('sessions.states', () => ok({ states: [] }));
    answer('discovery.latest', () => latest.promise);

    const starting = useSessionsStore.getState().init();
    push('discovery.result', resultOf('h1', 'new-name'));
    latest.resolve(ok({ results: [resultOf('h1', 'old-name'), resultOf('h2', 'nas2')] }));
    const stop = await starting;

    expect(useSessionsStore.getState().discovery).toEqual({ h1: resultOf('h1', 'new-name'), h2: resultOf('h2', 'nas2') });
    stop();
  });

  it('stops listening when the returned function is called', async () => {
    answerEmptyStart();
    const stop = await useSessionsStore.getState().init();
    expect(listenerCount('session.state')).toBe(1);
    expect(listenerCount('discovery.result')).toBe(1);

    stop();
    push('session.state', stateOf('h1', 'ready'));
    push('discovery.result', resultOf('h1', 'nas1'));

    expect(listenerCount('session.state')).toBe(0);
    expect(listenerCount('discovery.result')).toBe(0);
    expect(useSessionsStore.getState().states).toEqual({});
    expect(useSessionsStore.getState().discovery).toEqual({});
  });
});

describe('sessions store: connecting, trusting, disconnecting', () => {
  it('connect stores the state main returns for that host', async () => {
    answer('sessions.connect', ({ hostId }) => ok(stateOf(hostId, 'connecting')));

    await useSessionsStore.getState().connect('h1');

    expect(allCalls()).toEqual([{ channel: 'sessions.connect', payload: { hostId: 'h1' } }]);
    expect(useSessionsStore.getState().states).toEqual({ h1: stateOf('h1', 'connecting') });
    expect(useSessionsStore.getState().lastError).toEqual({ h1: null });
  });

  it('a refused connect shows its error on that host only', async () => {
    const needPassword = { code: 'PASSWORD_REQUIRED', message: "Enter the password for root@nas1.lan in the host's settings.", field: 'auth.password' };
    answer('sessions.connect', ({ hostId }) => (hostId === 'h1' ? refused(needPassword) : ok(stateOf(hostId, 'connecting'))));

    await useSessionsStore.getState().connect('h1');
    await useSessionsStore.getState().connect('h2');

    expect(useSessionsStore.getState().lastError).toEqual({ h1: needPassword, h2: null });
    expect(useSessionsStore.getState().states).toEqual({ h2: stateOf('h2', 'connecting') });
  });

  it('a new connect clears the error of the previous attempt', async () => {
    answer('sessions.connect', () => refused({ code: 'NOT_FOUND', message: 'That host is no longer in the list.' }));
    await useSessionsStore.getState().connect('h1');
    answer('sessions.connect', ({ hostId }) => ok(stateOf(hostId, 'connecting')));

    await useSessionsStore.getState().connect('h1');

    expect(useSessionsStore.getState().lastError.h1).toBeNull();
  });

  it('trust sends the fingerprint the user was shown and stores the resulting state', async () => {
    answer('sessions.trust', ({ hostId }) => ok(stateOf(hostId, 'connecting')));

    await useSessionsStore.getState().trust('h1', 'SHA256:presented');

    expect(allCalls()).toEqual([{ channel: 'sessions.trust', payload: { hostId: 'h1', fingerprint: 'SHA256:presented' } }]);
    expect(useSessionsStore.getState().states.h1).toEqual(stateOf('h1', 'connecting'));
  });

  it('a refused trust shows its error and keeps the state as it was', async () => {
    useSessionsStore.setState({ states: { h1: stateOf('h1', 'awaiting-trust') } });
    const changed = { code: 'HOST_KEY_CHANGED', message: 'A changed host key cannot be accepted from Bondsmith.' };
    answer('sessions.trust', () => refused(changed));

    await useSessionsStore.getState().trust('h1', 'SHA256:presented');

    expect(useSessionsStore.getState().lastError.h1).toEqual(changed);
    expect(useSessionsStore.getState().states.h1).toEqual(stateOf('h1', 'awaiting-trust'));
  });

  it('a trust that succeeds clears the error of a refused one', async () => {
    answer('sessions.trust', () => refused({ code: 'FINGERPRINT_MISMATCH', message: 'The host presented a different key than the one shown; connect again and re-check it.' }));
    await useSessionsStore.getState().trust('h1', 'SHA256:stale');
    answer('sessions.trust', ({ hostId }) => ok(stateOf(hostId, 'connecting')));

    await useSessionsStore.getState().trust('h1', 'SHA256:presented');

    expect(useSessionsStore.getState().lastError.h1 ?? null).toBeNull();
  });

  it('disconnect stores the idle state main returns', async () => {
    useSessionsStore.setState({ states: { h1: stateOf('h1', 'ready') } });
    answer('sessions.disconnect', ({ hostId }) => ok(stateOf(hostId, 'idle')));

    await useSessionsStore.getState().disconnect('h1');

    expect(allCalls()).toEqual([{ channel: 'sessions.disconnect', payload: { hostId: 'h1' } }]);
    expect(useSessionsStore.getState().states.h1).toEqual(stateOf('h1', 'idle'));
  });

  it('a refused disconnect shows its error and keeps the state as it was', async () => {
    useSessionsStore.setState({ states: { h1: stateOf('h1', 'ready') } });
    const gone = { code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' };
    answer('sessions.disconnect', () => refused(gone));

    await useSessionsStore.getState().disconnect('h1');

    expect(useSessionsStore.getState().lastError.h1).toEqual(gone);
    expect(useSessionsStore.getState().states.h1).toEqual(stateOf('h1', 'ready'));
  });

  it('a disconnect that succeeds clears the error of a refused one', async () => {
    answer('sessions.disconnect', () => refused({ code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' }));
    await useSessionsStore.getState().disconnect('h1');
    answer('sessions.disconnect', ({ hostId }) => ok(stateOf(hostId, 'idle')));

    await useSessionsStore.getState().disconnect('h1');

    expect(useSessionsStore.getState().lastError.h1 ?? null).toBeNull();
  });
});

describe('sessions store: refreshing discovery', () => {
  it('marks the host as refreshing until the result arrives, then stores the result', async () => {
    const result = deferred<Envelope<DiscoveryResult>>();
    answer('discovery.refresh', () => result.promise);

    const refreshing = useSessionsStore.getState().refresh('h1');
    expect(useSessionsStore.getState().refreshing).toEqual({ h1: true });
    result.resolve(ok(resultOf('h1', 'nas1')));
    await refreshing;

    expect(useSessionsStore.getState().refreshing).toEqual({ h1: false });
    expect(useSessionsStore.getState().discovery).toEqual({ h1: resultOf('h1', 'nas1') });
    expect(allCalls()).toEqual([{ channel: 'discovery.refresh', payload: { hostId: 'h1' } }]);
  });

  it('a refused refresh ends the refreshing mark and shows the error', async () => {
    answer('discovery.refresh', () => refused({ code: 'NOT_CONNECTED', message: 'Connect to the host first.' }));

    await useSessionsStore.getState().refresh('h1');

    expect(useSessionsStore.getState().refreshing).toEqual({ h1: false });
    expect(useSessionsStore.getState().lastError).toEqual({ h1: { code: 'NOT_CONNECTED', message: 'Connect to the host first.' } });
    expect(useSessionsStore.getState().discovery).toEqual({});
  });

  it('ends the refreshing mark even when the call itself fails', async () => {
    // No answer scripted: the api rejects, as a bridge that broke mid-call would.

    await expect(useSessionsStore.getState().refresh('h1')).rejects.toThrow('the test scripted no answer on discovery.refresh');

    expect(useSessionsStore.getState().refreshing).toEqual({ h1: false });
  });

  it('a refresh that succeeds clears the error of a refused one', async () => {
    answer('discovery.refresh', () => refused({ code: 'NOT_CONNECTED', message: 'Connect to the host first.' }));
    await useSessionsStore.getState().refresh('h1');
    answer('discovery.refresh', ({ hostId }) => ok(resultOf(hostId, 'nas1')));

    await useSessionsStore.getState().refresh('h1');

    expect(useSessionsStore.getState().lastError.h1 ?? null).toBeNull();
    expect(useSessionsStore.getState().discovery.h1).toEqual(resultOf('h1', 'nas1'));
  });

  it('keeps a discovery failure inside the result, beside the facts found before', async () => {
    const failure = { code: 'DISCOVERY_FAILED', message: 'ip -j link timed out' };
    answer('discovery.refresh', ({ hostId }) => ok(resultOf(hostId, 'nas1', failure)));

    await useSessionsStore.getState().refresh('h1');

    expect(useSessionsStore.getState().discovery.h1).toEqual(resultOf('h1', 'nas1', failure));
    expect(useSessionsStore.getState().lastError).toEqual({});
  });
});
