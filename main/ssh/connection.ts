import type { AppError, ConnectionStateName, HostKeyInfo } from '../../preload/contract';
import type { ExecOptions, ExecResult } from './exec';

export type { ExecOptions, ExecResult } from './exec';

// The one way down to a box: what every layer above (services, discovery, drivers, the apply
// runner) needs from an SSH connection to one host. ssh-connection.ts is the real one (ssh2);
// unit tests of the layers above fake this interface.

export interface ConnectionSnapshot {
  readonly state: ConnectionStateName;
  readonly reason: AppError | null;
  readonly hostKey: HostKeyInfo | null;
}

export interface HostConnection {
  snapshot(): ConnectionSnapshot;
  onState(listener: (snapshot: ConnectionSnapshot) => void): () => void;
  connect(): void;
  /** Store the presented key (the one in snapshot().hostKey) as trusted and connect again. */
  trust(): Promise<void>;
  close(): Promise<void>;
  /** Runs `command` as a POSIX shell script (`sh -c`, C locale) whatever the account's login shell. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** A second, independent connection with the same settings (safe apply verifies over it). */
  openFresh(overrides?: { address?: string }): Promise<HostConnection>;
}

export interface ConnectionTarget {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly auth: { kind: 'agent' } | { kind: 'key'; path: string; passphrase?: string } | { kind: 'password'; password: string };
  readonly jump: ConnectionTarget | null;
}

export type ConnectionFactory = (target: ConnectionTarget) => HostConnection;
