import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostStore } from './host-store';
import { SecretStore } from './secret-store';

const sample = { label: 'nas1', address: 'nas1.lan', port: 22, user: 'root', auth: { kind: 'agent' as const }, jumpHostId: null, tags: [], useSudo: false };

describe('HostStore', () => {
  it('persists hosts and reads them back in a new process-like instance', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    const store = new HostStore(dir);
    await store.load();
    const added = await store.add(sample);
    await store.update(added.id, { ...sample, label: 'nas1-renamed' });
    const again = new HostStore(dir);
    await again.load();
    expect(again.list()).toEqual([{ ...sample, id: added.id, label: 'nas1-renamed' }]);
    expect(again.storeProblem()).toBeNull();
    // Atomic writes leave no temp files behind.
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('keeps a corrupt file aside and reports it instead of replacing it silently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    await writeFile(join(dir, 'hosts.json'), '{"version":1,"hosts":[{"label":');
    const store = new HostStore(dir);
    await store.load();
    expect(store.list()).toEqual([]);
    const problem = store.storeProblem();
    expect(problem?.message).toContain('not valid JSON');
    expect(problem?.keptAs).toMatch(/hosts\.json\.corrupt-/);
    expect(await readFile(problem?.keptAs ?? '', 'utf8')).toBe('{"version":1,"hosts":[{"label":');
    await store.add(sample);
    expect((await readdir(dir)).sort()).toEqual(['hosts.json', (problem?.keptAs ?? '').split('/').pop()].sort());
  });

  it('treats a file with the wrong shape as corrupt too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    await writeFile(join(dir, 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ ...sample, id: 'x', port: 99999 }] }));
    const store = new HostStore(dir);
    await store.load();
    expect(store.storeProblem()?.message).toContain('does not match the expected format');
  });

  it('a file it cannot read refuses every write, with the reason, until a read succeeds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    // A directory where the file should be: reading fails (EISDIR) the way EACCES would.
    await mkdir(join(dir, 'hosts.json'));
    const store = new HostStore(dir);
    await expect(store.load()).rejects.toMatchObject({ code: 'HOSTS_UNREADABLE', message: expect.stringContaining('EISDIR') as unknown });
    // Not "loaded and empty" after one failure: it is read again, and still refuses.
    await expect(store.load()).rejects.toMatchObject({ code: 'HOSTS_UNREADABLE' });
    await expect(store.add(sample)).rejects.toMatchObject({ code: 'HOSTS_UNREADABLE', message: expect.stringMatching(/could not be read.*not change it/) as unknown });
    expect((await stat(join(dir, 'hosts.json'))).isDirectory()).toBe(true);
    // Once the file reads again, the store works from what it holds.
    await rm(join(dir, 'hosts.json'), { recursive: true });
    await writeFile(join(dir, 'hosts.json'), JSON.stringify({ version: 1, hosts: [{ ...sample, id: 'keep1' }] }));
    await store.load();
    expect(store.list().map((h) => h.id)).toEqual(['keep1']);
    await store.add({ ...sample, label: 'nas2' });
    expect(store.list().map((h) => h.label)).toEqual(['nas1', 'nas2']);
  });

  it('refuses a host beyond the 1000 the file format holds, and leaves the file readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    const full = Array.from({ length: 1000 }, (_, i) => ({ ...sample, id: `h${i}`, label: `nas${i}` }));
    await writeFile(join(dir, 'hosts.json'), JSON.stringify({ version: 1, hosts: full }));
    const store = new HostStore(dir);
    await store.load();
    await expect(store.add(sample)).rejects.toMatchObject({ code: 'TOO_MANY_HOSTS', message: expect.stringContaining('1000') as unknown });
    expect(store.list()).toHaveLength(1000);
    const again = new HostStore(dir);
    await again.load();
    expect(again.storeProblem()).toBeNull();
    expect(again.list()).toHaveLength(1000);
  });

  it('clears a removed host from other hosts that used it as jump host', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-store-'));
    const store = new HostStore(dir);
    await store.load();
    const jump = await store.add(sample);
    const behind = await store.add({ ...sample, label: 'behind', jumpHostId: jump.id });
    await store.remove(jump.id);
    expect(store.get(behind.id)?.jumpHostId).toBeNull();
  });
});

describe('SecretStore', () => {
  it('without a keyring keeps secrets in memory only and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    const secrets = new SecretStore(dir, null);
    await secrets.set('h1', 'hunter2');
    expect(await secrets.get('h1')).toBe('hunter2');
    expect(await readdir(dir)).toEqual([]);
  });

  it('with a cipher stores only ciphertext on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    const cipher = { encrypt: (p: string) => Buffer.from([...p].reverse().join('')), decrypt: (b: Buffer) => [...b.toString()].reverse().join('') };
    await new SecretStore(dir, cipher).set('h1', 'hunter2');
    const onDisk = await readFile(join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).not.toContain('hunter2');
    expect(await new SecretStore(dir, cipher).get('h1')).toBe('hunter2');
  });
});
