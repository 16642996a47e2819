import { join } from 'node:path';
import { homedir, userInfo } from 'node:os';
import type { ChannelResponse } from '../../preload/contract';
import { discoverHost } from '../discovery/discover-host';
import { describeHost } from '../drivers/registry';
import { createNodeSshConfigFs, importSshConfig } from '../ssh/ssh-config';
import { AuditLog } from '../store/audit-log';
import { HostStore } from '../store/host-store';
import { BondService } from './bond-service';
import type { ConnectionFactory } from '../ssh/connection';
import { SessionService } from './session-service';
import { PendingService } from './pending-service';
import { RecoveryService } from './recovery-service';
import { InflightStore } from '../store/inflight-store';
import { sshConnectionFactory } from '../ssh/ssh-connection';
import { SecretStore, type SecretCipher } from '../store/secret-store';
import { EventHub } from './event-sink';
import { HostService } from './host-service';
import { RolloutService } from './rollout-service';
import { FleetRunStore } from '../store/fleet-run-store';
import { HistoryService } from './history-service';

export interface ServiceOptions {
  readonly dataDir: string;
  readonly mode: 'electron' | 'browser';
  readonly version: string;
  readonly cipher: SecretCipher | null;
  /** Where Bondsmith's own known_hosts lives (default: <dataDir>/known_hosts). */
  readonly knownHostsPath?: string;
  /** The user's OpenSSH known_hosts files, read but never written (default: ~/.ssh/known_hosts). */
  readonly userKnownHosts?: readonly string[];
  readonly connectionFactory?: ConnectionFactory;
  /** SSH handshakes in flight at once, over all hosts (0: no limit). Default DEFAULT_CONCURRENT_HANDSHAKES. */
  readonly maxConcurrentHandshakes?: number;
  /** Offer virtual interfaces (veth pairs) as bond members: the lab's ports are veth pairs. */
  readonly allowVirtualMembers?: boolean;
}

/**
 * SSH handshakes in flight at once over all hosts (0: no limit). A handshake costs the main process
 * about 8 ms of CPU in a few slices; a fleet connecting all at once ran them in bursts that held the
 * event loop for 0.3-1.4 s (50-200 hosts, e2e/bench/fleet-sshd.ts). With 8 the worst round's p99
 * stayed near 30-50 ms at a 10-20 % longer cold connect on loopback; over a real network a
 * handshake mostly waits on round trips, so 8 slots admit about 8 / handshake time hosts a second.
 */
export const DEFAULT_CONCURRENT_HANDSHAKES = 8;

/** Everything main offers, wired once per process; the same in Electron and in browser mode. */
export interface Services {
  readonly options: ServiceOptions;
  readonly events: EventHub;
  readonly hosts: HostService;
  readonly sessions: SessionService;
  readonly bonds: BondService;
  readonly audit: AuditLog;
  readonly history: HistoryService;
  readonly pending: PendingService;
  readonly inflight: InflightStore;
  readonly rollouts: RolloutService;
  importSshConfig(path: string | null): Promise<ChannelResponse<'hosts.importSshConfig'>>;
  dispose(): Promise<void>;
}

export function createServices(options: ServiceOptions): Services {
  const events = new EventHub();
  const store = new HostStore(options.dataDir);
  const secrets = new SecretStore(options.dataDir, options.cipher);
  const factory =
    options.connectionFactory ??
    sshConnectionFactory({
      appKnownHosts: options.knownHostsPath ?? join(options.dataDir, 'known_hosts'),
      userKnownHosts: options.userKnownHosts ?? userKnownHostsFiles(process.env),
      maxConcurrentHandshakes: options.maxConcurrentHandshakes ?? DEFAULT_CONCURRENT_HANDSHAKES,
    });
  const sessions = new SessionService(store, secrets, events, factory, discoverHost, describeHost);
  const hosts = new HostService(store, secrets, events, sessions);
  const audit = new AuditLog(options.dataDir);
  const inflight = new InflightStore(options.dataDir);
  const bonds = new BondService(store, sessions, audit, events, inflight, options.allowVirtualMembers ?? false);
  const recovery = new RecoveryService(store, inflight, audit, events, (runId) => bonds.appliedHere(runId));
  const stopRecovery = recovery.start();
  const history = new HistoryService(audit, bonds);
  const pending = new PendingService(store, sessions, inflight, recovery);
  const rollouts = new RolloutService(store, sessions, bonds, events, new FleetRunStore(options.dataDir));
  return {
    options,
    events,
    hosts,
    sessions,
    bonds,
    audit,
    history,
    pending,
    inflight,
    rollouts,
    importSshConfig: async (path) => {
      const configPath = path ?? join(homedir(), '.ssh', 'config');
      const result = await importSshConfig(createNodeSshConfigFs(), { homeDir: homedir(), localUser: localUserName(), configPath });
      return { hosts: result.hosts, warnings: result.warnings, path: configPath };
    },
    dispose: async () => {
      stopRecovery();
      await rollouts.dispose();
      await bonds.dispose();
      await sessions.dispose();
    },
  };
}

/** BONDSMITH_ALLOW_VIRTUAL_MEMBERS=1, read once by the entry points (browser mode and Electron). */
export function allowVirtualMembersFrom(env: NodeJS.ProcessEnv): boolean {
  return env.BONDSMITH_ALLOW_VIRTUAL_MEMBERS === '1';
}

export function defaultDataDir(env: NodeJS.ProcessEnv, home: string): string {
  if (env.BONDSMITH_DATA_DIR) return env.BONDSMITH_DATA_DIR;
  const base = env.XDG_CONFIG_HOME ?? join(home, '.config');
  return join(base, 'Bondsmith');
}

function localUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** The user's OpenSSH known_hosts files; BONDSMITH_USER_KNOWN_HOSTS (":"-separated, may be empty) overrides. */
export function userKnownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  const override = env.BONDSMITH_USER_KNOWN_HOSTS;
  if (override !== undefined) return override.split(':').filter((p) => p !== '');
  return [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
}
