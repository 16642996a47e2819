import type { ConnectionFactory, ConnectionSnapshot, ConnectionTarget, ExecOptions, ExecResult, HostConnection } from './connection';
import { createHostSession, type HostSession, type HostSessionConfig, type JumpConfig, type SessionState } from './host-session';
import type { KnownHostsFiles } from './known-hosts-store';
import { Semaphore } from './semaphore';

// HostConnection on top of HostSession (ssh2). Privilege: plans carry their own `sudo -n` where a
// non-root admin needs it, so the session runs every command as the login user.

function toSnapshot(s: SessionState): ConnectionSnapshot {
  return { state: s.state, reason: s.reason, hostKey: s.hostKey };
}

function jumpConfig(target: ConnectionTarget): JumpConfig {
  return {
    id: target.id,
    host: target.address,
    port: target.port,
    username: target.user,
    auth: target.auth,
    ...(target.jump ? { jump: jumpConfig(target.jump) } : {}),
  };
}

function sessionConfig(target: ConnectionTarget, knownHosts: KnownHostsFiles): HostSessionConfig {
  return { ...jumpConfig(target), knownHosts };
}

class SshHostConnection implements HostConnection {
  constructor(private readonly session: HostSession) {}

  snapshot(): ConnectionSnapshot {
    return toSnapshot(this.session.snapshot());
  }

  onState(listener: (snapshot: ConnectionSnapshot) => void): () => void {
    return this.session.onState((s) => listener(toSnapshot(s)));
  }

  connect(): void {
    void this.session.connect().catch(() => undefined);
  }

  trust(): Promise<void> {
    return this.session.trust();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.session.exec(command, options);
  }

  async openFresh(overrides: { address?: string } = {}): Promise<HostConnection> {
    const fresh = await this.session.openFresh(overrides.address === undefined ? {} : { address: overrides.address });
    return new SshHostConnection(fresh);
  }
}

export interface SshConnectionOptions {
  readonly appKnownHosts: string;
  readonly userKnownHosts: readonly string[];
  /** Handshakes in flight at once over every connection this factory makes; 0: no limit. */
  readonly maxConcurrentHandshakes?: number;
}

export function sshConnectionFactory(options: SshConnectionOptions): ConnectionFactory {
  const knownHosts: KnownHostsFiles = { appStore: options.appKnownHosts, userFiles: options.userKnownHosts };
  const limit = options.maxConcurrentHandshakes ?? 0;
  const handshakes = limit > 0 ? new Semaphore(limit) : undefined;
  return (target) => new SshHostConnection(createHostSession({ ...sessionConfig(target, knownHosts), handshakes }));
}
