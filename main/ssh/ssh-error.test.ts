import { describe, expect, it } from 'vitest';
import { classifyClientError, isRetryable } from './ssh-error';

const err = (message: string, props: { level?: string; code?: string }): Error => Object.assign(new Error(message), props);
const where = 'root@nas1:22';

describe('classifyClientError', () => {
  it.each([
    [err('connect ECONNREFUSED', { level: 'client-socket', code: 'ECONNREFUSED' }), 'REFUSED'],
    [err('connect EHOSTUNREACH', { level: 'client-socket', code: 'EHOSTUNREACH' }), 'UNREACHABLE'],
    [err('connect ETIMEDOUT', { level: 'client-socket', code: 'ETIMEDOUT' }), 'TIMEOUT'],
    [err('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND' }), 'HOST_NOT_FOUND'],
    [err('read ECONNRESET', { level: 'client-socket', code: 'ECONNRESET' }), 'CONNECTION_LOST'],
    [err('Timed out while waiting for handshake', { level: 'client-timeout' }), 'TIMEOUT'],
    [err('Keepalive timeout', { level: 'client-timeout' }), 'CONNECTION_LOST'],
    [err('All configured authentication methods failed', { level: 'client-authentication' }), 'AUTH_FAILED'],
    [err('Connection lost before handshake', { level: 'protocol' }), 'CONNECTION_LOST'],
    [err('Handshake failed: no matching key exchange algorithm', { level: 'handshake' }), 'HANDSHAKE_FAILED'],
    [err('something else', {}), 'SSH_ERROR'],
  ])('maps %s to %s', (e, code) => {
    const mapped = classifyClientError(e, where, 'the key /k');
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('nas1');
  });

  it('names what was offered when authentication fails', () => {
    expect(classifyClientError(err('x', { level: 'client-authentication' }), where, 'the key /home/a/.ssh/id').message).toContain('/home/a/.ssh/id');
  });
});

describe('isRetryable', () => {
  it('retries network trouble, never credentials or host keys', () => {
    expect(['REFUSED', 'UNREACHABLE', 'TIMEOUT', 'CONNECTION_LOST', 'FORWARD_FAILED'].every((c) => isRetryable(c as never))).toBe(true);
    expect(['AUTH_FAILED', 'HOST_KEY_CHANGED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_REVOKED', 'PASSPHRASE_REQUIRED', 'BAD_PASSPHRASE', 'KEY_FILE_MISSING'].some((c) => isRetryable(c as never))).toBe(false);
  });
});
