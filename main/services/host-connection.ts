import type { AppError, ConnectionStateName, HostKeyInfo } from '../../preload/contract';

// What the session service needs from an SSH connection to one host. main/ssh provides the real
// one (ssh2); the service does not care how it is done.

export interface ConnectionSnapshot {
  readonly state: ConnectionStateName;
  readonly reason: AppError | null;
  readonly hostKey: HostKeyInfo | null;
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly stdin?: string;
  /** Run through `sudo -n` when the host is set up for it. */
  readonly privileged?: boolean;
}

export interface ExecResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HostConnection {
  snapshot(): ConnectionSnapshot;
  onState(listener: (snapshot: ConnectionSnapshot) => void): () => void;
  connect(): void;
  /** Store the presented key (the one in snapshot().hostKey) as trusted and connect again. */
  trust(): Promise<void>;
  close(): Promise<void>;
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
  readonly useSudo: boolean;
  readonly jump: ConnectionTarget | null;
}

export type ConnectionFactory = (target: ConnectionTarget) => HostConnection;
