import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventName, Host, HostInput } from '../../preload/contract';
import { HostStore } from '../store/host-store';
import { SecretStore, type SecretCipher } from '../store/secret-store';
import { EventHub } from './event-sink';
import { HostService, MAX_JUMP_DEPTH } from './host-service';

// The host inventory service over a real HostStore and SecretStore in a temp data directory. Input
// arrives already parsed by the dispatch, so what is refused here are the checks that need I/O or
// the rest of the list (key file on disk, jump host in the list).

const dataDirs: string[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
}

/** Stands in for Electron's safeStorage: reversible, and the plain text never shows in its output. */
const fakeKeyring: SecretCipher = {
  encrypt: (plain) => Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)),
  decrypt: (sealed) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString('utf8'),
};

interface Heard {
  readonly event: EventName;
  readonly payload: unknown;
}

function openService(dataDir: string, cipher: SecretCipher | null) {
  const events = new EventHub();
  const heard: Heard[] = [];
  events.subscribe((event, payload) => heard.push({ event, payload }));
  const secrets = new SecretStore(dataDir, cipher);
  const sessionsForgotten: string[] = [];
  const sessions = { forget: (hostId: string) => Promise.resolve(void sessionsForgotten.push(hostId)) };
  return { dataDir, service: new HostService(new HostStore(dataDir), secrets, events, sessions), secrets, heard, sessionsForgotten };
}

async function freshService(cipher: SecretCipher | null = null) {
  return openService(await tempDir('bs-host-service-'), cipher);
}

function hostInput(over: Partial<HostInput> = {}): HostInput {
  return { label: 'nas1', address: 'nas1.lan', port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false, ...over };
}

describe('HostService: adding a host', () => {
  it('stores the host, announces it and returns it with hasSecret but never the password', async () => {
    const { service, heard } = await freshService();

    const host = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' }, tags: ['lab'], useSudo: true }));

    expect(host).toEqual({
      id: host.id,
      label: 'nas1',
      address: 'nas1.lan',
      port: 22,
      user: 'root',
      auth: { kind: 'password' },
      jumpHostId: null,
      tags: ['lab'],
      useSudo: true,
      hasSecret: true,
    });
    expect(JSON.stringify(host)).not.toContain('hunter2');
    expect(heard).toEqual([{ event: 'hosts.changed', payload: { reason: 'added', id: host.id } }]);
    expect((await service.list()).hosts).toEqual([host]);
  });

  it('says a password host added without a password has no secret yet', async () => {
    const { service } = await freshService();

    const host = await service.add(hostInput({ auth: { kind: 'password' } }));

    expect(host.hasSecret).toBe(false);
  });

  it('keeps each tag once', async () => {
    const { service } = await freshService();

    const host = await service.add(hostInput({ tags: ['rack-a', 'nas', 'rack-a'] }));

    expect(host.tags).toEqual(['rack-a', 'nas']);
  });

  it('accepts a key file given relative to the home directory and keeps the path as typed', async () => {
    const home = await tempDir('bs-home-');
    await writeFile(join(home, 'id_ed25519'), 'not really a key');
    vi.stubEnv('HOME', home);
    const { service } = await freshService();

    const host = await service.add(hostInput({ auth: { kind: 'key', keyPath: '~/id_ed25519', passphrase: 'open sesame' } }));

    expect(host.auth).toEqual({ kind: 'key', keyPath: '~/id_ed25519' });
    expect(host.hasSecret).toBe(true);
    expect(JSON.stringify(host)).not.toContain('open sesame');
  });

  it('refuses a key file that does not exist, on the key path field, and stores nothing', async () => {
    const { service, heard, dataDir } = await freshService();
    const keyPath = join(dataDir, 'no-such-key');

    await expect(service.add(hostInput({ auth: { kind: 'key', keyPath } }))).rejects.toMatchObject({
      code: 'KEY_FILE_MISSING',
      field: 'auth.keyPath',
      message: `No key file at ${keyPath}`,
    });
    expect((await service.list()).hosts).toEqual([]);
    expect(heard).toEqual([]);
  });

  it('refuses a key path that is a directory', async () => {
    const { service, dataDir } = await freshService();
    const keyPath = join(dataDir, 'keys');
    await mkdir(keyPath);

    await expect(service.add(hostInput({ auth: { kind: 'key', keyPath } }))).rejects.toMatchObject({
      code: 'KEY_FILE_MISSING',
      field: 'auth.keyPath',
      message: `${keyPath} is not a file`,
    });
  });

  it('refuses a key path that is a device, or a file far bigger than any key', async () => {
    const { service, dataDir } = await freshService();
    const big = join(dataDir, 'big-key');
    await writeFile(big, 'x'.repeat(65 * 1024));

    await expect(service.add(hostInput({ auth: { kind: 'key', keyPath: big } }))).rejects.toMatchObject({
      code: 'KEY_FILE_TOO_LARGE',
      field: 'auth.keyPath',
      message: `${big} is larger than 64 KiB: not a private key`,
    });
    await expect(service.add(hostInput({ auth: { kind: 'key', keyPath: '/dev/zero' } }))).rejects.toMatchObject({ field: 'auth.keyPath', message: '/dev/zero is not a file' });
  });

  it('refuses a jump host that is not in the list, on the jump host field', async () => {
    const { service, heard } = await freshService();

    await expect(service.add(hostInput({ jumpHostId: 'gone' }))).rejects.toMatchObject({ code: 'INVALID', field: 'jumpHostId' });
    expect((await service.list()).hosts).toEqual([]);
    expect(heard).toEqual([]);
  });

  it('accepts a jump host that is in the list', async () => {
    const { service } = await freshService();
    const bastion = await service.add(hostInput({ label: 'bastion', address: 'bastion.lan' }));

    const behind = await service.add(hostInput({ label: 'behind', jumpHostId: bastion.id }));

    expect(behind.jumpHostId).toBe(bastion.id);
  });

  it('accepts a chain of as many jump hosts as a session follows and refuses one more', async () => {
    const { service } = await freshService();
    const hops: Host[] = [];
    for (let i = 0; i < MAX_JUMP_DEPTH; i += 1) hops.push(await service.add(hostInput({ label: `hop${i}`, jumpHostId: hops.at(-1)?.id ?? null })));
    const atTheLimit = await service.add(hostInput({ label: 'at-the-limit', jumpHostId: hops.at(-1)?.id ?? null }));

    await expect(service.add(hostInput({ label: 'one-too-many', jumpHostId: atTheLimit.id }))).rejects.toMatchObject({ code: 'JUMP_LOOP', field: 'jumpHostId' });
    expect((await service.list()).hosts).toHaveLength(MAX_JUMP_DEPTH + 1);
  });
});

describe('HostService: updating a host', () => {
  it('replaces the host under the same id and announces the update', async () => {
    const { service, heard } = await freshService();
    const added = await service.add(hostInput());

    const updated = await service.update(added.id, hostInput({ label: 'nas1-renamed', port: 2222 }));

    expect(updated).toMatchObject({ id: added.id, label: 'nas1-renamed', port: 2222 });
    expect((await service.list()).hosts).toEqual([updated]);
    expect(heard.at(-1)).toEqual({ event: 'hosts.changed', payload: { reason: 'updated', id: added.id } });
  });

  it('keeps the stored password when the form leaves it empty', async () => {
    const { service, secrets } = await freshService();
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    const updated = await service.update(added.id, hostInput({ label: 'renamed', auth: { kind: 'password' } }));

    expect(updated.hasSecret).toBe(true);
    expect(await secrets.get(added.id)).toBe('hunter2');
  });

  it('replaces the stored password when a new one is given', async () => {
    const { service, secrets } = await freshService();
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    await service.update(added.id, hostInput({ auth: { kind: 'password', password: 'correct horse' } }));

    expect(await secrets.get(added.id)).toBe('correct horse');
  });

  it('forgets the stored secret when the host switches to the SSH agent', async () => {
    const { service, secrets } = await freshService();
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    const updated = await service.update(added.id, hostInput({ auth: { kind: 'agent' } }));

    expect(updated.hasSecret).toBe(false);
    expect(await secrets.get(added.id)).toBeUndefined();
  });

  it('forgets the stored password when the host switches to a key without a passphrase, so it is never offered as one', async () => {
    const { service, secrets, dataDir } = await freshService();
    const keyPath = join(dataDir, 'id_ed25519');
    await writeFile(keyPath, 'not really a key');
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    const updated = await service.update(added.id, hostInput({ auth: { kind: 'key', keyPath } }));

    expect(updated.hasSecret).toBe(false);
    expect(await secrets.get(added.id)).toBeUndefined();
  });

  it('forgets the stored passphrase when the host switches from a key to a password left empty', async () => {
    const { service, secrets, dataDir } = await freshService();
    const keyPath = join(dataDir, 'id_ed25519');
    await writeFile(keyPath, 'not really a key');
    const added = await service.add(hostInput({ auth: { kind: 'key', keyPath, passphrase: 'open sesame' } }));

    const updated = await service.update(added.id, hostInput({ auth: { kind: 'password' } }));

    expect(updated.hasSecret).toBe(false);
    expect(await secrets.get(added.id)).toBeUndefined();
  });

  it('keeps the stored passphrase when a key host is saved with the passphrase left empty', async () => {
    const { service, secrets, dataDir } = await freshService();
    const keyPath = join(dataDir, 'id_ed25519');
    await writeFile(keyPath, 'not really a key');
    const added = await service.add(hostInput({ auth: { kind: 'key', keyPath, passphrase: 'open sesame' } }));

    const updated = await service.update(added.id, hostInput({ label: 'renamed', auth: { kind: 'key', keyPath } }));

    expect(updated.hasSecret).toBe(true);
    expect(await secrets.get(added.id)).toBe('open sesame');
  });

  it('stores the new secret given with a switch of auth kind', async () => {
    const { service, secrets } = await freshService();
    const added = await service.add(hostInput({ auth: { kind: 'agent' } }));

    await service.update(added.id, hostInput({ auth: { kind: 'password', password: 'correct horse' } }));

    expect(await secrets.get(added.id)).toBe('correct horse');
  });

  it('refuses a host as its own jump host and leaves it as it was', async () => {
    const { service, heard } = await freshService();
    const added = await service.add(hostInput());

    await expect(service.update(added.id, hostInput({ label: 'loop', jumpHostId: added.id }))).rejects.toMatchObject({
      code: 'INVALID',
      field: 'jumpHostId',
    });
    expect((await service.list()).hosts).toEqual([added]);
    expect(heard.map((h) => h.payload)).toEqual([{ reason: 'added', id: added.id }]);
  });

  it('refuses a jump host that leads back to the host, on the jump host field, and leaves both as they were', async () => {
    const { service, heard } = await freshService();
    const a = await service.add(hostInput({ label: 'a' }));
    const b = await service.add(hostInput({ label: 'b', jumpHostId: a.id }));

    await expect(service.update(a.id, hostInput({ label: 'a', jumpHostId: b.id }))).rejects.toMatchObject({ code: 'JUMP_LOOP', field: 'jumpHostId' });
    expect((await service.list()).hosts).toEqual([a, b]);
    expect(heard.map((h) => h.payload)).toEqual([
      { reason: 'added', id: a.id },
      { reason: 'added', id: b.id },
    ]);
  });

  it('refuses a loop that closes further up the chain', async () => {
    const { service } = await freshService();
    const a = await service.add(hostInput({ label: 'a' }));
    const b = await service.add(hostInput({ label: 'b', jumpHostId: a.id }));
    const c = await service.add(hostInput({ label: 'c', jumpHostId: b.id }));

    await expect(service.update(a.id, hostInput({ label: 'a', jumpHostId: c.id }))).rejects.toMatchObject({ code: 'JUMP_LOOP', field: 'jumpHostId' });
  });

  it('refuses a change that would put a host behind it past the longest jump chain a session follows', async () => {
    const { service } = await freshService();
    const hops: Host[] = [];
    for (let i = 0; i < 4; i += 1) hops.push(await service.add(hostInput({ label: `hop${i}`, jumpHostId: hops.at(-1)?.id ?? null })));
    const lone = await service.add(hostInput({ label: 'lone' }));
    const behindLone = await service.add(hostInput({ label: 'behind-lone', jumpHostId: lone.id }));

    // behind-lone -> lone -> hop3 -> hop2 -> hop1 -> hop0: five jump hosts.
    await expect(service.update(lone.id, hostInput({ label: 'lone', jumpHostId: hops[3]?.id ?? null }))).rejects.toMatchObject({
      code: 'JUMP_LOOP',
      field: 'jumpHostId',
      message: expect.stringContaining('behind-lone') as unknown,
    });
    expect((await service.list()).hosts.find((h) => h.id === lone.id)?.jumpHostId).toBeNull();
    expect(behindLone.jumpHostId).toBe(lone.id);
  });

  it('refuses a host that is no longer in the list', async () => {
    const { service, heard } = await freshService();

    await expect(service.update('gone', hostInput())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await service.list()).hosts).toEqual([]);
    expect(heard).toEqual([]);
  });
});

describe('HostService: removing a host', () => {
  it('removes the host and its secret, and announces the removal', async () => {
    const { service, secrets, heard } = await freshService();
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    expect(await service.remove(added.id)).toEqual({ id: added.id });

    expect((await service.list()).hosts).toEqual([]);
    expect(await secrets.has(added.id)).toBe(false);
    expect(heard.at(-1)).toEqual({ event: 'hosts.changed', payload: { reason: 'removed', id: added.id } });
  });

  it('ends the session of the removed host only, and of no host when the removal is refused', async () => {
    const { service, sessionsForgotten } = await freshService();
    const added = await service.add(hostInput());
    await service.add(hostInput({ label: 'other' }));

    await service.remove(added.id);
    await expect(service.remove('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(sessionsForgotten).toEqual([added.id]);
  });

  it('clears the jump host of the hosts that went through the removed one', async () => {
    const { service } = await freshService();
    const bastion = await service.add(hostInput({ label: 'bastion' }));
    const behind = await service.add(hostInput({ label: 'behind', jumpHostId: bastion.id }));

    await service.remove(bastion.id);

    expect((await service.list()).hosts).toEqual([{ ...behind, jumpHostId: null }]);
  });

  it('refuses a host that is not in the list', async () => {
    const { service, heard } = await freshService();

    await expect(service.remove('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(heard).toEqual([]);
  });
});

describe('HostService: listing hosts', () => {
  it('reports a host file that could not be read instead of failing', async () => {
    const dataDir = await tempDir('bs-host-service-');
    await writeFile(join(dataDir, 'hosts.json'), '{"version":1,"hosts":[');
    const { service } = openService(dataDir, null);

    const { hosts, storeProblem } = await service.list();

    expect(hosts).toEqual([]);
    expect(storeProblem?.message).toContain('not valid JSON');
    expect(storeProblem?.keptAs).toMatch(/hosts\.json\.corrupt-/);
  });

  it('starts with an empty list and no problem in a new data directory', async () => {
    const { service } = await freshService();

    expect(await service.list()).toEqual({ hosts: [], storeProblem: null, secretsProblem: null });
  });

  it('reports a damaged secrets.json, kept aside, beside the host list', async () => {
    const dataDir = await tempDir('bs-host-service-');
    await writeFile(join(dataDir, 'secrets.json'), '{"h1":');
    const { service } = openService(dataDir, fakeKeyring);

    const { secretsProblem } = await service.list();

    expect(secretsProblem?.message).toContain('not valid JSON');
    expect(secretsProblem?.keptAs).toMatch(/secrets\.json\.corrupt-/);
  });

  it('refuses a host with a password while secrets.json cannot be read, and adds nothing', async () => {
    const dataDir = await tempDir('bs-host-service-');
    await mkdir(join(dataDir, 'secrets.json'));
    const { service, heard } = openService(dataDir, fakeKeyring);

    await expect(service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }))).rejects.toMatchObject({ code: 'SECRETS_UNREADABLE' });

    expect((await service.list()).hosts).toEqual([]);
    expect(heard).toEqual([]);
  });
});

describe('HostService: secrets at rest', () => {
  it('without a keyring holds secrets for this run only and writes none to disk', async () => {
    const { service, dataDir } = await freshService(null);
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    expect(await readdir(dataDir)).toEqual(['hosts.json']);
    expect(await readFile(join(dataDir, 'hosts.json'), 'utf8')).not.toContain('hunter2');

    const afterRestart = openService(dataDir, null).service;
    expect((await afterRestart.list()).hosts).toEqual([{ ...added, hasSecret: false }]);
  });

  it('with a keyring stores only ciphertext, and the secret survives a restart', async () => {
    const { service, dataDir } = await freshService(fakeKeyring);
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    expect((await readdir(dataDir)).sort()).toEqual(['hosts.json', 'secrets.json']);
    expect(await readFile(join(dataDir, 'secrets.json'), 'utf8')).not.toContain('hunter2');
    expect(await readFile(join(dataDir, 'hosts.json'), 'utf8')).not.toContain('hunter2');

    const afterRestart = openService(dataDir, fakeKeyring);
    expect((await afterRestart.service.list()).hosts).toEqual([added]);
    expect(await afterRestart.secrets.get(added.id)).toBe('hunter2');
  });

  it('with a keyring removes the sealed secret from disk when the host is removed', async () => {
    const { service, dataDir } = await freshService(fakeKeyring);
    const added = await service.add(hostInput({ auth: { kind: 'password', password: 'hunter2' } }));

    await service.remove(added.id);

    expect(JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'))).toEqual({});
    expect(await openService(dataDir, fakeKeyring).secrets.has(added.id)).toBe(false);
  });
});
