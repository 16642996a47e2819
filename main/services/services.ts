import { join } from 'node:path';
import { HostStore } from '../store/host-store';
import { SecretStore, type SecretCipher } from '../store/secret-store';
import { EventHub } from './event-sink';
import { HostService } from './host-service';

export interface ServiceOptions {
  readonly dataDir: string;
  readonly mode: 'electron' | 'browser';
  readonly version: string;
  readonly cipher: SecretCipher | null;
}

/** Everything main offers, wired once per process; the same in Electron and in browser mode. */
export interface Services {
  readonly options: ServiceOptions;
  readonly events: EventHub;
  readonly hosts: HostService;
  dispose(): Promise<void>;
}

export function createServices(options: ServiceOptions): Services {
  const events = new EventHub();
  const store = new HostStore(options.dataDir);
  const secrets = new SecretStore(options.dataDir, options.cipher);
  const hosts = new HostService(store, secrets, events);
  return {
    options,
    events,
    hosts,
    dispose: () => Promise.resolve(),
  };
}

export function defaultDataDir(env: NodeJS.ProcessEnv, home: string): string {
  if (env.BONDSMITH_DATA_DIR) return env.BONDSMITH_DATA_DIR;
  const base = env.XDG_CONFIG_HOME ?? join(home, '.config');
  return join(base, 'Bondsmith');
}
