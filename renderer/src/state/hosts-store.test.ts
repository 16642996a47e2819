import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelResponse, Envelope, Host, HostInput } from '../../../preload/contract';
import { answer, callsOn, ok, push, refused, resetFakeApi } from '../../../e2e/kit/fake-api';
import { useHostsStore } from './hosts-store';

// The hosts store against a scripted api: each test says what main answers on each channel, pushes
// the events main would send, and sees what the store asked for and what it now holds.

vi.mock('../api/api', async () => (await import('../../../e2e/kit/fake-api')).apiModule);






function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

function host(id: string, over: Partial<Host> = {}): Host {
  return { id, label: id, address: `${id}.lan`, port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false, hasSecret: false, ...over };
}

function input(over: Partial<HostInput> = {}): HostInput {
  return { label: 'nas1', address: 'nas1.lan', port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false, ...over };
}

const appInfo: ChannelResponse<'app.info'> = { mode: 'browser', version: '0.1.0', secretsPersisted: false, dataDir: '/data' };

const pristine = useHostsStore.getState();

beforeEach(() => {
  resetFakeApi();
  useHostsStore.setState(pristine, true);
});

function withHosts(hosts: Host[], view: ReturnType<typeof useHostsStore.getState>['view'] = { kind: 'welcome' }): void {
  useHostsStore.setState({ hosts, view, loaded: true });
}

describe('hosts store: loading', () => {
  it('is not loaded until the host list arrives, then holds the hosts, the app info and any store problems', async () => {
    const list = deferred<Envelope<ChannelResponse<'hosts.list'>>>();
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => list.promise);
    const problem = { message: 'The host list could not be read', keptAs: '/data/hosts.json.corrupt-1' };
    const secretsProblem = { message: 'The saved passwords and passphrases could not be read', keptAs: '/data/secrets.json.corrupt-1' };

    const loading = useHostsStore.getState().load();
    expect(useHostsStore.getState().loaded).toBe(false);
    list.resolve(ok({ hosts: [host('h1'), host('h2')], storeProblem: problem, secretsProblem }));
    await loading;

    expect(useHostsStore.getState()).toMatchObject({ loaded: true, loadError: null, appInfo, storeProblem: problem, secretsProblem, hosts: [host('h1'), host('h2')] });
  });

  it('surfaces a host list that could not be loaded and still counts as loaded', async () => {
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => refused({ code: 'INTERNAL', message: 'Unexpected error: EACCES' }));

    await useHostsStore.getState().load();

    expect(useHostsStore.getState()).toMatchObject({ loaded: true, loadError: { code: 'INTERNAL', message: 'Unexpected error: EACCES' }, hosts: [], appInfo });
  });

  it('clears an earlier load error once a later load succeeds', async () => {
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => refused({ code: 'DISCONNECTED', message: 'Lost the connection to Bondsmith.' }));
    await useHostsStore.getState().load();
    answer('hosts.list', () => ok({ hosts: [host('h1')], storeProblem: null, secretsProblem: null }));

    await useHostsStore.getState().load();

    expect(useHostsStore.getState()).toMatchObject({ loadError: null, hosts: [host('h1')] });
  });

  it('loads the hosts even when the app info is refused', async () => {
    answer('app.info', () => refused({ code: 'INTERNAL', message: 'no info' }));
    answer('hosts.list', () => ok({ hosts: [host('h1')], storeProblem: null, secretsProblem: null }));

    await useHostsStore.getState().load();

    expect(useHostsStore.getState()).toMatchObject({ appInfo: null, loaded: true, hosts: [host('h1')] });
  });
});

describe('hosts store: following main', () => {
  it('reloads the list when main says the hosts changed, so a removed jump host is no longer named by the hosts that used it', async () => {
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => ok({ hosts: [host('bastion'), host('behind', { jumpHostId: 'bastion' })], storeProblem: null, secretsProblem: null }));
    const stop = useHostsStore.getState().init();
    await vi.waitFor(() => expect(useHostsStore.getState().loaded).toBe(true));
    answer('hosts.list', () => ok({ hosts: [host('behind', { jumpHostId: null })], storeProblem: null, secretsProblem: null }));

    push('hosts.changed', { reason: 'removed', id: 'bastion' });

    await vi.waitFor(() => expect(useHostsStore.getState().hosts).toEqual([host('behind', { jumpHostId: null })]));
    stop();
  });

  it('stops listening when the returned function is called', async () => {
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => ok({ hosts: [], storeProblem: null, secretsProblem: null }));
    const stop = useHostsStore.getState().init();
    await vi.waitFor(() => expect(useHostsStore.getState().loaded).toBe(true));

    stop();
    push('hosts.changed', { reason: 'added', id: 'h1' });

    expect(callsOn('hosts.list')).toHaveLength(1);
  });

  it('never lets the answer to an older list request replace a newer one', async () => {
    answer('app.info', () => ok(appInfo));
    answer('hosts.list', () => ok({ hosts: [], storeProblem: null, secretsProblem: null }));
    const stop = useHostsStore.getState().init();
    await vi.waitFor(() => expect(useHostsStore.getState().loaded).toBe(true));
    const older = deferred<Envelope<ChannelResponse<'hosts.list'>>>();
    answer('hosts.list', () => older.promise);
    const olderLoad = useHostsStore.getState().load();
    answer('hosts.list', () => ok({ hosts: [host('h1'), host('h2')], storeProblem: null, secretsProblem: null }));
    push('hosts.changed', { reason: 'added', id: 'h2' });
    await vi.waitFor(() => expect(useHostsStore.getState().hosts).toHaveLength(2));

    older.resolve(ok({ hosts: [host('h1')], storeProblem: null, secretsProblem: null }));
    await olderLoad;

    expect(useHostsStore.getState().hosts).toEqual([host('h1'), host('h2')]);
    stop();
  });

  it('holds a host added here once, even when the reload of the list came first', async () => {
    withHosts([host('h1'), host('h2')]);
    answer('hosts.add', () => ok(host('h2')));

    await useHostsStore.getState().addHost(input({ label: 'h2' }));

    expect(useHostsStore.getState().hosts).toEqual([host('h1'), host('h2')]);
  });
});

describe('hosts store: adding a host', () => {
  it('sends the form input, appends the new host and shows it', async () => {
    withHosts([host('h1')]);
    answer('hosts.add', () => ok(host('h2')));

    const error = await useHostsStore.getState().addHost(input({ label: 'h2' }));

    expect(error).toBeNull();
    expect(callsOn('hosts.add')).toEqual([input({ label: 'h2' })]);
    expect(useHostsStore.getState().hosts).toEqual([host('h1'), host('h2')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'host', id: 'h2' });
  });

  it('stays on the import view while hosts are being imported', async () => {
    withHosts([], { kind: 'import-hosts' });
    answer('hosts.add', () => ok(host('h1')));

    await useHostsStore.getState().addHost(input());

    expect(useHostsStore.getState().view).toEqual({ kind: 'import-hosts' });
    expect(useHostsStore.getState().hosts).toEqual([host('h1')]);
  });

  it('hands a refusal back to the form, with its field, and changes nothing', async () => {
    withHosts([host('h1')], { kind: 'add-host' });
    const refusal = { code: 'KEY_FILE_MISSING', message: 'No key file at /keys/nas', field: 'auth.keyPath' };
    answer('hosts.add', () => refused(refusal));

    const error = await useHostsStore.getState().addHost(input({ auth: { kind: 'key', keyPath: '/keys/nas' } }));

    expect(error).toEqual(refusal);
    expect(useHostsStore.getState().hosts).toEqual([host('h1')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'add-host' });
  });
});

describe('hosts store: editing a host', () => {
  it('sends the id with the input, replaces that host in place and shows it', async () => {
    withHosts([host('h1'), host('h2'), host('h3')], { kind: 'edit-host', id: 'h2' });
    answer('hosts.update', ({ id }) => ok(host(id, { label: 'renamed' })));

    const error = await useHostsStore.getState().updateHost('h2', input({ label: 'renamed' }));

    expect(error).toBeNull();
    expect(callsOn('hosts.update')).toEqual([{ id: 'h2', host: input({ label: 'renamed' }) }]);
    expect(useHostsStore.getState().hosts).toEqual([host('h1'), host('h2', { label: 'renamed' }), host('h3')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'host', id: 'h2' });
  });

  it('hands a refusal back to the form and keeps the host as it was', async () => {
    withHosts([host('h1')], { kind: 'edit-host', id: 'h1' });
    const refusal = { code: 'INVALID', message: 'A host cannot be its own jump host', field: 'jumpHostId' };
    answer('hosts.update', () => refused(refusal));

    const error = await useHostsStore.getState().updateHost('h1', input({ jumpHostId: 'h1' }));

    expect(error).toEqual(refusal);
    expect(useHostsStore.getState().hosts).toEqual([host('h1')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'edit-host', id: 'h1' });
  });
});

describe('hosts store: removing a host', () => {
  it('drops the host and goes back to the welcome view', async () => {
    withHosts([host('h1'), host('h2')], { kind: 'host', id: 'h1' });
    answer('hosts.remove', ({ id }) => ok({ id }));

    const error = await useHostsStore.getState().removeHost('h1');

    expect(error).toBeNull();
    expect(callsOn('hosts.remove')).toEqual([{ id: 'h1' }]);
    expect(useHostsStore.getState().hosts).toEqual([host('h2')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'welcome' });
  });

  it('keeps the host and the view when main refuses', async () => {
    withHosts([host('h1')], { kind: 'host', id: 'h1' });
    answer('hosts.remove', () => refused({ code: 'NOT_FOUND', message: 'That host is no longer in the list.' }));

    const error = await useHostsStore.getState().removeHost('h1');

    expect(error).toEqual({ code: 'NOT_FOUND', message: 'That host is no longer in the list.' });
    expect(useHostsStore.getState().hosts).toEqual([host('h1')]);
    expect(useHostsStore.getState().view).toEqual({ kind: 'host', id: 'h1' });
  });
});
