import { AppFailure } from '../errors';

// Every failure of the SSH layer is one of these codes with a message an admin can act on.
// Messages never contain passwords, passphrases or key material.

export type SshErrorCode =
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'REFUSED'
  | 'HOST_NOT_FOUND'
  | 'AUTH_FAILED'
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_FAILED'
  | 'KEY_FILE_MISSING'
  | 'KEY_FILE_UNREADABLE'
  | 'KEY_FILE_NOT_REGULAR'
  | 'KEY_FILE_TOO_LARGE'
  | 'KEY_INVALID'
  | 'PASSPHRASE_REQUIRED'
  | 'BAD_PASSPHRASE'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'HOST_KEY_REVOKED'
  | 'HANDSHAKE_FAILED'
  | 'CONNECTION_LOST'
  | 'NOT_CONNECTED'
  | 'NOTHING_TO_TRUST'
  | 'JUMP_FAILED'
  | 'FORWARD_FAILED'
  | 'CHANNEL_OPEN_FAILED'
  | 'COMMAND_TIMEOUT'
  | 'OUTPUT_TOO_LARGE'
  | 'INVALID_COMMAND'
  | 'SUDO_PASSWORD_REQUIRED'
  | 'SUDO_DENIED'
  | 'KNOWN_HOSTS_WRITE_FAILED'
  | 'SSH_ERROR';

export class SshError extends AppFailure {
  declare readonly code: SshErrorCode;
  constructor(code: SshErrorCode, message: string) {
    super(code, message);
    this.name = 'SshError';
  }
}

/** Failures that a retry cannot fix: the user has to change something first. */
const PERMANENT: ReadonlySet<SshErrorCode> = new Set<SshErrorCode>([
  'AUTH_FAILED',
  'AGENT_UNAVAILABLE',
  'KEY_FILE_MISSING',
  'KEY_FILE_UNREADABLE',
  'KEY_FILE_NOT_REGULAR',
  'KEY_FILE_TOO_LARGE',
  'KEY_INVALID',
  'PASSPHRASE_REQUIRED',
  'BAD_PASSPHRASE',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_KEY_REVOKED',
  'HANDSHAKE_FAILED',
]);

export function isRetryable(code: SshErrorCode): boolean {
  return !PERMANENT.has(code);
}

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

/**
 * Map an error emitted by an ssh2 Client (or its socket) to a code. `where` is "user@host:port",
 * used in messages; host-key verdicts are handled by the caller before this is consulted.
 */
export function classifyClientError(err: unknown, where: string, authWhat: string): SshError {
  const e = (err instanceof Error ? err : new Error(String(err))) as Ssh2Error;
  const sysCode = e.code ?? '';
  switch (e.level ?? '') {
    case 'client-socket':
      return socketError(sysCode, e.message, where);
    case 'client-timeout':
      if (/keepalive/i.test(e.message)) {
        return new SshError('CONNECTION_LOST', `${where} stopped answering keepalives; the host or the network path to it went away.`);
      }
      return new SshError('TIMEOUT', `${where} did not complete the SSH handshake in time. Check that the host is up and that nothing between here and there drops SSH traffic.`);
    case 'client-dns':
      return new SshError('HOST_NOT_FOUND', `Could not resolve the address of ${where}. Check the host name.`);
    case 'client-authentication':
      return new SshError('AUTH_FAILED', `${where} rejected ${authWhat}. Check the user name and that the key is in the user's authorized_keys (or the password is right).`);
    case 'agent':
      return new SshError('AGENT_FAILED', `The SSH agent failed while signing for ${where}: ${e.message}. Check that the agent is running and holds the key.`);
    case 'handshake':
      return new SshError('HANDSHAKE_FAILED', `The SSH handshake with ${where} failed: ${e.message}. The server may only offer algorithms this client does not support.`);
    case 'protocol':
      return new SshError('CONNECTION_LOST', `${where} closed the connection before the SSH handshake finished. sshd may be refusing new connections (MaxStartups, PerSourcePenalties, hosts.deny).`);
    default:
      if (sysCode !== '') return socketError(sysCode, e.message, where);
      return new SshError('SSH_ERROR', `SSH error with ${where}: ${e.message}`);
  }
}

function socketError(sysCode: string, message: string, where: string): SshError {
  switch (sysCode) {
    case 'ECONNREFUSED':
      return new SshError('REFUSED', `${where}: connection refused. Nothing listens on that port; check that sshd runs and the port is right.`);
    case 'ETIMEDOUT':
      return new SshError('TIMEOUT', `${where}: the TCP connection timed out. Check that the host is up and that a firewall does not drop SSH.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return new SshError('UNREACHABLE', `${where} is unreachable (${sysCode}). Check the address and the network route to it.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError('HOST_NOT_FOUND', `Could not resolve the address of ${where} (${sysCode}). Check the host name and DNS.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshError('CONNECTION_LOST', `${where} reset the connection (${sysCode}).`);
    default:
      return new SshError('SSH_ERROR', `Network error with ${where}: ${message}`);
  }
}
