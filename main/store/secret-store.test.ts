import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretStore, type SecretCipher } from './secret-store';

// A stand-in for safeStorage: reversible, and visibly not the plain text.
const cipher: SecretCipher = { encrypt: (p) => Buffer.from([...p].reverse().join('')), decrypt: (b) => [...b.toString()].reverse().join('') };
const sealed = (plain: string): string => cipher.encrypt(plain).toString('base64');

describe('SecretStore with a damaged secrets.json', () => {
  it('keeps the damaged file aside, reports it, and does not lose it on the next save', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    const damaged = `{"h1":"${sealed('hunter2')}","h2":`;
    await writeFile(join(dir, 'secrets.json'), damaged);
    const secrets = new SecretStore(dir, cipher);
    await secrets.set('h3', 'swordfish');
    const kept = (await readdir(dir)).filter((f) => f.startsWith('secrets.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(await readFile(join(dir, kept[0] ?? ''), 'utf8')).toBe(damaged);
    expect(await secrets.problem()).toMatchObject({ message: expect.stringContaining('not valid JSON') as unknown, keptAs: join(dir, kept[0] ?? '') });
    expect(await new SecretStore(dir, cipher).get('h3')).toBe('swordfish');
  });

  it('treats a file of the wrong shape as damaged too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ h1: sealed('a'), h2: 42 }));
    const secrets = new SecretStore(dir, cipher);
    expect(await secrets.get('h1')).toBeUndefined();
    expect((await secrets.problem())?.message).toContain('does not match the expected format');
  });

  it('a file it cannot read is left alone and no save replaces it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    await mkdir(join(dir, 'secrets.json'));
    const secrets = new SecretStore(dir, cipher);
    await expect(secrets.set('h1', 'hunter2')).rejects.toMatchObject({ code: 'SECRETS_UNREADABLE', message: expect.stringContaining('EISDIR') as unknown });
    await expect(secrets.delete('h0')).rejects.toMatchObject({ code: 'SECRETS_UNREADABLE' });
    await expect(secrets.assertWritable()).rejects.toMatchObject({ code: 'SECRETS_UNREADABLE' });
    expect(await secrets.get('h1')).toBeUndefined();
    // Once it reads again, saving keeps what the file held.
    await rm(join(dir, 'secrets.json'), { recursive: true });
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ h0: sealed('old') }));
    await secrets.set('h2', 'new');
    expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'))).toEqual({ h0: sealed('old'), h2: sealed('new') });
  });

  it('knows only the hosts it holds: no inherited names such as "constructor" or "__proto__"', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-secret-'));
    await writeFile(join(dir, 'secrets.json'), `{"h1":"${sealed('a')}","__proto__":"${sealed('b')}"}`);
    const secrets = new SecretStore(dir, cipher);
    expect(await secrets.has('constructor')).toBe(false);
    expect(await secrets.has('toString')).toBe(false);
    expect(await secrets.get('constructor')).toBeUndefined();
    expect(await secrets.get('__proto__')).toBe('b');
    await secrets.delete('constructor');
    expect(await secrets.has('h1')).toBe(true);
    expect(await secrets.problem()).toBeNull();
  });
});
