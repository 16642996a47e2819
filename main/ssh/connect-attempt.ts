import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { Client, type ServerHostKeyAlgorithm } from 'ssh2';
import type { ResolvedAuth } from './auth';
import { keyType as blobKeyType } from './fingerprint';
import { preferredHostKeyAlgorithms, verdictFor, type HostKeyVerdict, type KnownHostEntry } from './known-hosts';
import { classifyClientError, SshError } from './ssh-error';

// One SSH handshake with one fresh ssh2 Client: TCP (or a forwarded stream), host key check,
// authentication. Never throws; the outcome says what happened.
//
// The TCP socket is opened here, with TCP_NODELAY, rather than by ssh2 (which leaves Nagle's
// algorithm on): SSH sends many small packets that each wait for the other side, and a channel
// opened right after the previous one closed would otherwise sit in the kernel until the server's
// delayed ACK, 40 ms or more per command (e2e/bench/README.md, bench-connect). Through a jump host
// the stream is a channel of the jump host's own session, whose socket was opened here too.

/** A host key the user is asked about (first contact), or the two keys of a changed host. */
export interface HostKeyInfo {
  readonly host: string;
  readonly port: number;
  readonly keyType: string;
  readonly fingerprint: string;
  /** Set when a known host presented a different key (of the known type, or of another type). */
  readonly knownFingerprint: string | null;
}

export interface AttemptTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** "user@host:port", for messages. */
  readonly where: string;
  readonly auth: ResolvedAuth;
  readonly knownHosts: readonly KnownHostEntry[];
  /** A key already verified for this box on another address: accepted where known_hosts has nothing. */
  readonly pinnedKey: Buffer | null;
  readonly sock?: Duplex;
  readonly keepaliveMs: number;
  readonly keepaliveCountMax: number;
  readonly readyTimeoutMs: number;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly client: Client; readonly hostKey: Buffer }
  | { readonly ok: false; readonly error: SshError; readonly hostKey: HostKeyInfo | null; readonly presented: { readonly keyType: string; readonly blob: Buffer } | null };

export function attemptConnect(t: AttemptTarget): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const client = new Client();
    const errors: unknown[] = [];
    let presented: Buffer | null = null;
    let verdict: HostKeyVerdict | null = null;
    let accepted = false;
    let settled = false;
    const settle = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };

    // ssh2 may emit several errors for one failure; this listener stays for the Client's whole life.
    client.on('error', (err) => errors.push(err));
    client.once('ready', () => {
      // Ready without a verified host key cannot happen with a hostVerifier set; refuse it anyway.
      if (presented && accepted) settle({ ok: true, client, hostKey: presented });
      else client.end();
    });
    client.once('close', () => settle(failure()));

    // Synchronous on purpose: ssh2 treats any returned value other than `false` (a Promise
    // included) as acceptance (ssh2 issue #1268). It also runs again on every re-key.
    const hostVerifier = (blob: Buffer): boolean => {
      presented = blob;
      if (blobKeyType(blob) === null) return (accepted = false);
      verdict = verdictFor(t.knownHosts, t.host, t.port, blob);
      accepted = verdict.verdict === 'trusted' || (verdict.verdict === 'unknown' && t.pinnedKey !== null && t.pinnedKey.equals(blob));
      return accepted;
    };

    function failure(): AttemptOutcome {
      if (presented && !accepted) return hostKeyFailure(t, presented, verdict);
      const error = errors.length > 0
        ? classifyClientError(errors[0], t.where, t.auth.describe)
        : new SshError('CONNECTION_LOST', `${t.where} closed the connection before it was ready.`);
      return { ok: false, error, hostKey: null, presented: null };
    }

    const preferred = preferredHostKeyAlgorithms(t.knownHosts, t.host, t.port) as ServerHostKeyAlgorithm[];
    let sock = t.sock;
    try {
      // ssh2 handles the socket from here as its own: errors, timeouts (readyTimeout destroys it),
      // close. net.connect throws synchronously for a port out of range, hence inside the try.
      sock ??= tcpConnect({ host: t.host, port: t.port, noDelay: true });
      client.connect({
        host: t.host,
        port: t.port,
        username: t.username,
        sock,
        ...t.auth.options,
        hostVerifier,
        keepaliveInterval: t.keepaliveMs,
        keepaliveCountMax: t.keepaliveCountMax,
        readyTimeout: t.readyTimeoutMs,
        // `prepend` skips names already in the default list, so remove them first to move them up.
        ...(preferred.length > 0 ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred, append: [] } } } : {}),
      });
    } catch (err) {
      // connect() throws synchronously for bad options (e.g. a key it cannot parse).
      if (!t.sock) sock?.destroy();
      settle({ ok: false, error: new SshError('SSH_ERROR', `Could not start connecting to ${t.where}: ${err instanceof Error ? err.message : String(err)}`), hostKey: null, presented: null });
    }
  });
}

function hostKeyFailure(t: AttemptTarget, blob: Buffer, verdict: HostKeyVerdict | null): AttemptOutcome {
  const keyType = blobKeyType(blob);
  const at = `${t.host}:${t.port}`;
  if (keyType === null || verdict === null) {
    return { ok: false, error: new SshError('HANDSHAKE_FAILED', `${at} presented a host key this client cannot read.`), hostKey: null, presented: null };
  }
  const info = (knownFingerprint: string | null): HostKeyInfo => ({ host: t.host, port: t.port, keyType, fingerprint: verdict.fingerprint, knownFingerprint });
  switch (verdict.verdict) {
    case 'unknown':
      return {
        ok: false,
        error: new SshError('HOST_KEY_UNKNOWN', `${at} is not a known host. It presented the ${keyType} key ${verdict.fingerprint}; compare it with the fingerprint on the box (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it.`),
        hostKey: info(null),
        presented: { keyType, blob },
      };
    case 'changed': {
      const what =
        verdict.knownKeyType === keyType
          ? `The ${keyType} host key of ${at} has changed: it presented ${verdict.fingerprint}, but ${verdict.knownAt.file} line ${verdict.knownAt.line} has ${verdict.knownFingerprint}.`
          : `The host key of ${at} has changed type: asked for its known ${verdict.knownKeyType} key ${verdict.knownFingerprint} (${verdict.knownAt.file} line ${verdict.knownAt.line}), it presented the ${keyType} key ${verdict.fingerprint} instead.`;
      return {
        ok: false,
        error: new SshError('HOST_KEY_CHANGED', `${what} This can be a man-in-the-middle attack. If the box was reinstalled or its keys replaced, verify the new fingerprint on its console and remove the old line by hand.`),
        hostKey: info(verdict.knownFingerprint),
        presented: null,
      };
    }
    case 'revoked':
      return {
        ok: false,
        error: new SshError('HOST_KEY_REVOKED', `${at} presented the ${keyType} key ${verdict.fingerprint}, which ${verdict.revokedAt.file} line ${verdict.revokedAt.line} marks as @revoked. It will not be accepted.`),
        hostKey: info(null),
        presented: null,
      };
    case 'trusted':
      // Unreachable: a trusted key is accepted. Kept so the switch stays exhaustive.
      return { ok: false, error: new SshError('SSH_ERROR', `${at} failed after its host key was accepted.`), hostKey: null, presented: null };
  }
}

/** End a client politely, and wait (bounded) for its socket to close. */
export function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 2_000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
