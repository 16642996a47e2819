// Shapes shared by the lab library, its CLI and the tests that read `status --json`.

export type LabFlavor = 'linux' | 'truenas' | 'networkmanager';
export const LAB_FLAVORS: readonly LabFlavor[] = ['linux', 'truenas', 'networkmanager'];
export type SwitchMode = 'lacp' | 'static' | 'none';
export type LabUser = 'root' | 'admin';

export interface LabUpOptions {
  readonly name?: string;
  readonly hosts?: number;
  /** One flavor for all hosts, or one per host in order (missing entries repeat the last one). */
  readonly flavors?: readonly LabFlavor[] | LabFlavor;
  readonly switchMode?: SwitchMode;
  /** Passed to the TrueNAS double as TRUENAS_VERSION; empty means its default. */
  readonly truenasVersion?: string;
}

export interface LabHostStatus {
  readonly name: string;
  readonly flavor: LabFlavor;
  readonly ssh: { readonly host: '127.0.0.1'; readonly port: number };
  readonly users: readonly LabUser[];
  readonly keyPath: string;
  /** The guest's host key as an OpenSSH known_hosts line for [127.0.0.1]:port. */
  readonly knownHostsLine?: string;
  readonly mgmt: { readonly nic: string; readonly address: string; readonly gateway: string };
  /** The switch inside the guest: the MAC an LACP bond must see as its partner, and its address. */
  readonly switch: { readonly mac: string; readonly address: string; readonly address6: string };
  readonly ports: readonly string[];
  readonly truenasVersion?: string;
  /** Seconds from process start to sshd answering, for the last boot. */
  readonly bootSeconds?: number;
  readonly running?: boolean;
}

export interface LabStatus {
  readonly name: string;
  readonly hosts: readonly LabHostStatus[];
  readonly switchMode: SwitchMode;
  readonly stateDir: string;
  readonly netns: string;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Errors are values with a code and a message a person can act on. */
export class LabError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LabError';
    this.code = code;
  }
}
