import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveAuth } from './auth';

const dir = mkdtempSync(join(tmpdir(), 'bondsmith-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plain = join(dir, 'plain');
const locked = join(dir, 'locked');
const lockedPem = join(dir, 'locked-pem');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plain]);
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'sesame', '-f', locked]);
execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'sesame', '-f', lockedPem]);

describe('resolveAuth', () => {
  it('reads a key file and offers only publickey (no `none` probe)', async () => {
    const r = await resolveAuth({ kind: 'key', path: plain }, 'root');
    expect(r.options.authHandler).toEqual(['publickey']);
    expect(Buffer.isBuffer(r.options.privateKey)).toBe(true);
    expect(r.describe).toBe(`the key ${plain}`);
  });

  it.each([locked, lockedPem])('tells a missing passphrase from a wrong one (%s)', async (path) => {
    await expect(resolveAuth({ kind: 'key', path }, 'root')).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
    const wrong = resolveAuth({ kind: 'key', path, passphrase: 'open barley' }, 'root');
    await expect(wrong).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await expect(wrong).rejects.not.toThrow(/barley/);
    await expect(resolveAuth({ kind: 'key', path, passphrase: 'sesame' }, 'root')).resolves.toBeDefined();
  });

  it('reports a missing file and a public key given as the private one', async () => {
    await expect(resolveAuth({ kind: 'key', path: join(dir, 'nope') }, 'root')).rejects.toMatchObject({ code: 'KEY_FILE_MISSING' });
    await expect(resolveAuth({ kind: 'key', path: `${plain}.pub` }, 'root')).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });

  it('reads only a regular file of at most 64 KiB: not a device, a directory, a pipe or a huge file', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, `${readFileSync(plain, 'utf8')}${'#'.repeat(64 * 1024)}`);
    await expect(resolveAuth({ kind: 'key', path: big }, 'root')).rejects.toMatchObject({ code: 'KEY_FILE_TOO_LARGE', message: expect.stringContaining('larger than 64 KiB') as unknown });
    await expect(resolveAuth({ kind: 'key', path: dir }, 'root')).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR', message: expect.stringContaining('not a regular file') as unknown });
    await expect(resolveAuth({ kind: 'key', path: '/dev/zero' }, 'root')).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR' });
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(resolveAuth({ kind: 'key', path: fifo }, 'root')).rejects.toMatchObject({ code: 'KEY_FILE_NOT_REGULAR' });
  });

  it('needs an agent socket for agent auth', async () => {
    await expect(resolveAuth({ kind: 'agent', socket: '' }, 'root')).rejects.toMatchObject({ code: 'AGENT_UNAVAILABLE' });
    expect((await resolveAuth({ kind: 'agent', socket: '/run/agent.sock' }, 'root')).options).toEqual({ agent: '/run/agent.sock', authHandler: ['agent'] });
  });

  it('keeps the password out of the description', async () => {
    const r = await resolveAuth({ kind: 'password', password: 'hunter2' }, 'root');
    expect(r.describe).not.toContain('hunter2');
    expect(r.options.authHandler).toEqual([{ type: 'password', username: 'root', password: 'hunter2' }, expect.objectContaining({ type: 'keyboard-interactive' })]);
  });
});
