import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintSha256 } from './fingerprint';
import { hashHostName, knownHostsName, matchPattern, parseKnownHosts, preferredHostKeyAlgorithms, verdictFor } from './known-hosts';
import { checkHostKey, loadKnownHosts, trustHostKey } from './known-hosts-store';

const dir = mkdtempSync(join(tmpdir(), 'bondsmith-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

interface Key { readonly type: string; readonly b64: string; readonly blob: Buffer }
function newKey(type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519'): Key {
  const path = join(dir, `key-${serial++}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', path]);
  const [t = '', b64 = ''] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  return { type: t, b64, blob: Buffer.from(b64, 'base64') };
}
const line = (names: string, k: Key, marker = ''): string => `${marker ? `${marker} ` : ''}${names} ${k.type} ${k.b64} comment here`;
const verdict = (text: string, host: string, port: number, k: Key) => verdictFor(parseKnownHosts(text, 'kh').entries, host, port, k.blob);

const ed = newKey();
const ed2 = newKey();
const rsa = newKey('rsa');

describe('matching names', () => {
  it('uses the plain name for port 22 and [host]:port otherwise', () => {
    expect(knownHostsName('NAS1.lan', 22)).toBe('nas1.lan');
    expect(knownHostsName('nas1.lan', 2222)).toBe('[nas1.lan]:2222');
    expect(verdict(line('nas1.lan', ed), 'nas1.lan', 22, ed).verdict).toBe('trusted');
    expect(verdict(line('[nas1.lan]:2222', ed), 'nas1.lan', 2222, ed).verdict).toBe('trusted');
  });

  it('does not let a plain entry answer for another port, nor [host]:22 for port 22', () => {
    expect(verdict(line('nas1.lan', ed), 'nas1.lan', 2222, ed).verdict).toBe('unknown');
    expect(verdict(line('[nas1.lan]:2222', ed), 'nas1.lan', 22, ed).verdict).toBe('unknown');
    expect(verdict(line('[nas1.lan]:22', ed), 'nas1.lan', 22, ed).verdict).toBe('unknown');
  });

  it('compares host names case-insensitively', () => {
    expect(verdict(line('NAS1.Lan', ed), 'nas1.LAN', 22, ed).verdict).toBe('trusted');
  });

  it('supports * and ? wildcards with ? matching exactly one character', () => {
    expect(matchPattern('nas1.lan', '*.lan')).toBe(true);
    expect(matchPattern('a.b.lan', '*.lan')).toBe(true);
    expect(matchPattern('nas1.lan.evil', '*.lan')).toBe(false);
    expect(matchPattern('nas1', 'nas?')).toBe(true);
    expect(matchPattern('nas', 'nas?')).toBe(false);
    expect(matchPattern('nas12', 'nas?')).toBe(false);
    expect(matchPattern('10.0.0.7', '10.0.*.?')).toBe(true);
    expect(verdict(line('*.lan', ed), 'nas1.lan', 22, ed).verdict).toBe('trusted');
    expect(verdict(line('[*.lan]:2222', ed), 'nas1.lan', 2222, ed).verdict).toBe('trusted');
  });

  it('lets a negated pattern veto the line', () => {
    const text = line('*.lan,!evil.lan', ed);
    expect(verdict(text, 'nas1.lan', 22, ed).verdict).toBe('trusted');
    expect(verdict(text, 'evil.lan', 22, ed).verdict).toBe('unknown');
    expect(verdict(line('!evil.lan', ed), 'nas1.lan', 22, ed).verdict).toBe('unknown');
  });

  it('matches names in a comma list', () => {
    const text = line('nas1.lan,10.0.0.1,[10.0.0.1]:2222', ed);
    expect(verdict(text, '10.0.0.1', 22, ed).verdict).toBe('trusted');
    expect(verdict(text, '10.0.0.1', 2222, ed).verdict).toBe('trusted');
    expect(verdict(text, '10.0.0.2', 22, ed).verdict).toBe('unknown');
  });
});

describe('hashed names', () => {
  it('matches entries hashed by ssh-keygen -H, including [host]:port and split comma lists', () => {
    const path = join(dir, `hashed-${serial++}`);
    writeFileSync(path, `${line('nas2.lan,10.0.0.2', ed)}\n${line('[nas1.lan]:2222', ed2)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path], { stdio: 'ignore' });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('nas');
    expect(text.match(/^\|1\|/gm)).toHaveLength(3);
    expect(verdict(text, 'nas2.lan', 22, ed).verdict).toBe('trusted');
    expect(verdict(text, '10.0.0.2', 22, ed).verdict).toBe('trusted');
    expect(verdict(text, 'nas1.lan', 2222, ed2).verdict).toBe('trusted');
    expect(verdict(text, 'nas1.lan', 22, ed2).verdict).toBe('unknown');
    expect(verdict(text, 'nas3.lan', 22, ed).verdict).toBe('unknown');
    expect(verdict(text, 'nas2.lan', 22, ed2)).toMatchObject({ verdict: 'changed', knownFingerprint: fingerprintSha256(ed.blob) });
  });

  it('produces the same hash as OpenSSH for a given salt', () => {
    const path = join(dir, `hashed-${serial++}`);
    writeFileSync(path, `${line('[nas1.lan]:2222', ed)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', path], { stdio: 'ignore' });
    const names = readFileSync(path, 'utf8').split(' ')[0] ?? '';
    const salt = Buffer.from(names.split('|')[2] ?? '', 'base64');
    expect(hashHostName('[nas1.lan]:2222', salt)).toBe(names);
  });
});

describe('verdicts', () => {
  it('reports a changed key of the same type with both fingerprints and where the old one is', () => {
    const v = verdict(`# comment\n${line('nas1.lan', ed)}\n`, 'nas1.lan', 22, ed2);
    expect(v).toEqual({
      verdict: 'changed',
      fingerprint: fingerprintSha256(ed2.blob),
      knownFingerprint: fingerprintSha256(ed.blob),
      knownKeyType: 'ssh-ed25519',
      knownAt: { file: 'kh', line: 2 },
    });
  });

  it('a host known by one key type that presents another has changed its key: the client asked for the known type first', () => {
    expect(verdict(line('nas1.lan', rsa), 'nas1.lan', 22, ed)).toEqual({
      verdict: 'changed',
      fingerprint: fingerprintSha256(ed.blob),
      knownFingerprint: fingerprintSha256(rsa.blob),
      knownKeyType: 'ssh-rsa',
      knownAt: { file: 'kh', line: 1 },
    });
    expect(verdict(`${line('nas1.lan', rsa)}\n${line('nas1.lan', ed)}`, 'nas1.lan', 22, rsa).verdict).toBe('trusted');
    // Other hosts' keys, revoked keys and CA lines do not make a host known.
    expect(verdict(`${line('nas2.lan', rsa)}\n${line('nas1.lan', rsa, '@revoked')}\n${line('*.lan', rsa, '@cert-authority')}`, 'nas1.lan', 22, ed).verdict).toBe('unknown');
  });

  it('a key of a type this client cannot ask for (DSA) does not make another type a changed key', () => {
    const name = Buffer.from('ssh-dss');
    const dsaBlob = Buffer.concat([Buffer.from([0, 0, 0, name.length]), name, Buffer.alloc(32, 7)]);
    const dsa: Key = { type: 'ssh-dss', b64: dsaBlob.toString('base64'), blob: dsaBlob };
    expect(verdict(line('nas1.lan', dsa), 'nas1.lan', 22, ed).verdict).toBe('unknown');
    expect(preferredHostKeyAlgorithms(parseKnownHosts(line('nas1.lan', dsa), 'kh').entries, 'nas1.lan', 22)).toEqual([]);
  });

  it('accepts any of several lines for the same host and type', () => {
    expect(verdict(`${line('nas1.lan', ed2)}\n${line('nas1.lan', ed)}`, 'nas1.lan', 22, ed).verdict).toBe('trusted');
  });

  it('never accepts a @revoked key, even when another line trusts it', () => {
    const v = verdict(`${line('nas1.lan', ed)}\n${line('*', ed, '@revoked')}`, 'nas1.lan', 22, ed);
    expect(v).toMatchObject({ verdict: 'revoked', revokedAt: { line: 2 } });
    expect(verdict(line('*', ed2, '@revoked'), 'nas1.lan', 22, ed).verdict).toBe('unknown');
  });

  it('treats @cert-authority lines as no match', () => {
    expect(verdict(line('*.lan', ed, '@cert-authority'), 'nas1.lan', 22, ed).verdict).toBe('unknown');
    expect(verdict(line('*.lan', ed2, '@cert-authority'), 'nas1.lan', 22, ed).verdict).toBe('unknown');
  });

  it('skips and reports lines it cannot parse, and still reads the others', () => {
    const text = [
      'garbage',
      'nas1.lan ssh-ed25519 !!!notbase64',
      `nas1.lan ssh-rsa ${ed.b64}`,
      `@weird nas1.lan ${ed.type} ${ed.b64}`,
      '|1|short|hash ssh-ed25519 AAAA',
      `nas9.lan ${ed.type} ${ed.b64.slice(0, 12)}`,
      line('nas1.lan', ed),
    ].join('\n');
    const parsed = parseKnownHosts(text, 'kh');
    expect(parsed.issues.map((i) => i.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.entries).toHaveLength(1);
    expect(verdictFor(parsed.entries, 'nas1.lan', 22, ed.blob).verdict).toBe('trusted');
  });
});

describe('preferredHostKeyAlgorithms', () => {
  it('puts the algorithms of the key types known for this host first, in OpenSSH order', () => {
    const ecdsa = newKey('ecdsa');
    const entries = parseKnownHosts([line('nas1.lan', rsa), line('nas1.lan', ecdsa), line('nas2.lan', ed), line('*', ed, '@revoked')].join('\n'), 'kh').entries;
    expect(preferredHostKeyAlgorithms(entries, 'nas1.lan', 22)).toEqual(['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredHostKeyAlgorithms(entries, 'nas2.lan', 22)).toEqual(['ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(entries, 'nas3.lan', 22)).toEqual([]);
  });
});

describe('files and the app store', () => {
  it('reads several files, treats missing ones as empty and reports unreadable lines with their file', async () => {
    const user = join(dir, `user-${serial++}`);
    writeFileSync(user, `junk line\n${line('nas1.lan', ed)}\n`);
    const loaded = await loadKnownHosts([join(dir, 'missing'), user]);
    expect(loaded.entries).toHaveLength(1);
    expect(loaded.issues).toEqual([{ file: user, line: 1, message: expect.any(String) as string }]);
  });

  it('appends trusted keys atomically in a format ssh-keygen -F finds, and never rewrites other lines', async () => {
    const store = join(dir, `app-${serial++}`, 'known_hosts');
    await trustHostKey(store, '127.0.0.1', 2222, ed.type, ed.blob);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    writeFileSync(store, `${readFileSync(store, 'utf8')}this line is corrupt`);
    await trustHostKey(store, 'nas1.lan', 22, rsa.type, rsa.blob);
    await trustHostKey(store, 'nas1.lan', 22, rsa.type, rsa.blob); // already trusted: no duplicate
    const text = readFileSync(store, 'utf8');
    expect(text.split('\n')).toEqual([`[127.0.0.1]:2222 ${ed.type} ${ed.b64}`, 'this line is corrupt', `nas1.lan ${rsa.type} ${rsa.b64}`, '']);
    expect(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', store], { encoding: 'utf8' })).toContain(ed.b64);
    const v = await checkHostKey({ userFiles: [], appStore: store }, '127.0.0.1', 2222, ed.blob);
    expect(v.verdict).toBe('trusted');
    expect(v.issues).toHaveLength(1);
  });

  it('keeps both of two concurrent trusts', async () => {
    const store = join(dir, `app-${serial++}`, 'known_hosts');
    await Promise.all([trustHostKey(store, 'a.lan', 22, ed.type, ed.blob), trustHostKey(store, 'b.lan', 22, ed2.type, ed2.blob)]);
    const v = await loadKnownHosts([store]);
    expect(v.entries).toHaveLength(2);
  });

  it('sees every change to a file it read before: a trust, an edit in place, a removal', async () => {
    const store = join(dir, `app-${serial++}`, 'known_hosts');
    await trustHostKey(store, 'a.lan', 22, ed.type, ed.blob);
    // A fleet connecting at once: one burst of loads, all with the same answer.
    const burst = await Promise.all(Array.from({ length: 20 }, () => loadKnownHosts([store])));
    expect(new Set(burst.map((l) => l.entries.length))).toEqual(new Set([1]));
    await trustHostKey(store, 'b.lan', 22, ed2.type, ed2.blob);
    const names = async (): Promise<Array<readonly string[]>> => (await loadKnownHosts([store])).entries.map((e) => (e.names.kind === 'patterns' ? e.names.patterns : []));
    expect(await names()).toEqual([['a.lan'], ['b.lan']]);
    writeFileSync(store, `${line('c.lan', rsa)}\n`); // the same inode, rewritten by hand
    expect(await names()).toEqual([['c.lan']]);
    rmSync(store);
    expect((await loadKnownHosts([store])).entries).toEqual([]);
  });

  it('refuses to trust a changed key and leaves the store alone', async () => {
    const store = join(dir, `app-${serial++}`, 'known_hosts');
    await trustHostKey(store, 'nas1.lan', 22, ed.type, ed.blob);
    const before = readFileSync(store, 'utf8');
    await expect(trustHostKey(store, 'nas1.lan', 22, ed2.type, ed2.blob)).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    await expect(trustHostKey(store, 'nas1.lan', 22, 'ssh-rsa', ed2.blob)).rejects.toMatchObject({ code: 'KNOWN_HOSTS_WRITE_FAILED' });
    expect(readFileSync(store, 'utf8')).toBe(before);
  });

  it('refuses to trust a key of another type for a host it knows, naming both keys', async () => {
    const store = join(dir, `app-${serial++}`, 'known_hosts');
    await trustHostKey(store, 'nas1.lan', 22, ed.type, ed.blob);
    const before = readFileSync(store, 'utf8');
    const ecdsa = newKey('ecdsa');
    const refused = trustHostKey(store, 'nas1.lan', 22, ecdsa.type, ecdsa.blob);
    await expect(refused).rejects.toMatchObject({ code: 'HOST_KEY_CHANGED' });
    await expect(refused).rejects.toThrow(fingerprintSha256(ed.blob));
    await expect(refused).rejects.toThrow(fingerprintSha256(ecdsa.blob));
    expect(readFileSync(store, 'utf8')).toBe(before);
  });
});
