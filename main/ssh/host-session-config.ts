import type { AuthConfig } from './auth';
import type { ReconnectPolicy } from './backoff';
import type { HostKeyInfo } from './connect-attempt';
import type { KnownHostsFiles } from './known-hosts-store';
import type { Semaphore } from './semaphore';

// What a HostSession is built from, and the state it reports.

export type ConnectionStateName = 'idle' | 'connecting' | 'awaiting-trust' | 'ready' | 'reconnecting' | 'failed';

export interface SessionState {
  readonly state: ConnectionStateName;
  readonly reason: { readonly code: string; readonly message: string } | null;
  /** The key to decide on (awaiting-trust) or the two keys of a changed host. */
  readonly hostKey: HostKeyInfo | null;
  /** The presented key's SHA256 fingerprint, when there is a host key decision. */
  readonly fingerprint?: string;
}

export interface HostSessionConfig {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: AuthConfig;
  /** ProxyJump: reach this host through a TCP forward from the jump host's own session. */
  readonly jump?: JumpConfig;
  readonly knownHosts: KnownHostsFiles;
  /** Keepalive interval; 0 disables (for devices that ignore keepalive@openssh.com). Default 15 s. */
  readonly keepaliveMs?: number;
  readonly keepaliveCountMax?: number;
  /** Covers TCP, key exchange and authentication. Default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Parallel channels on this connection; OpenSSH's MaxSessions default is 10. Default 6. */
  readonly maxChannels?: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /**
   * Shared by every session of one process: a handshake (key exchange, host key check,
   * authentication) waits here for a slot, so a whole fleet connecting at once does not run all its
   * crypto in one burst on the main thread's event loop. Queued time is outside readyTimeoutMs.
   */
  readonly handshakes?: Semaphore;
}

/** A jump host's config; settings it leaves out are taken from the host it leads to. */
export type JumpConfig = Omit<HostSessionConfig, 'knownHosts'> & { readonly knownHosts?: KnownHostsFiles };
