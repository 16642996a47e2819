import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintSha256, keyType } from './fingerprint';

const dir = mkdtempSync(join(tmpdir(), 'bondsmith-fp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

function generate(type: string, bits?: number): { blob: Buffer; keygen: string; declaredType: string } {
  const path = join(dir, `k-${type}-${bits ?? 0}-${serial++}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-f', path]);
  const [declaredType = '', b64 = ''] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  // `ssh-keygen -lf` prints "<bits> SHA256:... comment (TYPE)".
  const keygen = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
  return { blob: Buffer.from(b64, 'base64'), keygen, declaredType };
}

describe('fingerprintSha256', () => {
  it.each([['ed25519'], ['ecdsa', 256], ['ecdsa', 384], ['rsa', 2048]] as const)('matches ssh-keygen -lf for %s %s', (type, bits?: number) => {
    const key = generate(type, bits);
    expect(key.keygen).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintSha256(key.blob)).toBe(key.keygen);
  });
});

describe('keyType', () => {
  it('reads the type from the blob', () => {
    for (const [type, bits] of [['ed25519', undefined], ['ecdsa', 521], ['rsa', 2048]] as const) {
      const key = generate(type, bits);
      expect(keyType(key.blob)).toBe(key.declaredType);
    }
  });

  it('returns null for blobs that are not SSH keys', () => {
    expect(keyType(Buffer.alloc(0))).toBeNull();
    expect(keyType(Buffer.from([0, 0, 0, 50, 1, 2]))).toBeNull();
    expect(keyType(Buffer.from([0, 0, 0, 3, 0x61, 0x00, 0x62]))).toBeNull();
  });
});
