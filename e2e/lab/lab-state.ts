// Where a lab keeps its files, and the record (lab.json) that `status`, `cut` and `down` read.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError, type LabFlavor, type SwitchMode } from './lab-types';

export const DEFAULT_LAB_NAME = 'bslab';

export interface HostRecord {
  readonly name: string;
  readonly index: number;
  readonly flavor: LabFlavor;
  readonly truenasVersion: string;
  sshPort: number;
  forwarderPid: number;
  umlPid: number;
  bootSeconds?: number;
}

export interface LabRecord {
  readonly name: string;
  readonly netns: string;
  readonly stateDir: string;
  readonly switchMode: SwitchMode;
  readonly keyPath: string;
  readonly hosts: HostRecord[];
}

export function labName(name?: string): string {
  const n = name ?? process.env.BONDSMITH_LAB ?? DEFAULT_LAB_NAME;
  // The name ends up in namespace names, umids and paths.
  if (!/^[a-z0-9][a-z0-9-]{0,23}$/.test(n)) {
    throw new LabError('LAB_NAME', `lab name "${n}" is not valid: use 1-24 lowercase letters, digits or dashes`);
  }
  return n;
}

/**
 * BONDSMITH_LAB_SCOPE (a short word) keeps this checkout's labs apart from another's on the same
 * machine: the same lab names get their own namespaces and state directories.
 */
function labScope(): string {
  const raw = process.env.BONDSMITH_LAB_SCOPE ?? '';
  if (raw === '') return '';
  if (!/^[a-z0-9]{1,8}$/.test(raw)) throw new LabError('LAB_NAME', `BONDSMITH_LAB_SCOPE "${raw}" is not valid: use 1-8 lowercase letters or digits`);
  return `-${raw}`;
}

export function labPaths(name: string) {
  const scoped = `${name}${labScope()}`;
  const stateDir = join(tmpdir(), `bondsmith-lab-${scoped}`);
  return {
    stateDir,
    netns: `bondsmith-${scoped}`,
    record: join(stateDir, 'lab.json'),
    keyPath: join(stateDir, 'id_ed25519'),
    umlDir: join(stateDir, 'uml'),
    hostDir: (host: string) => join(stateDir, host),
  };
}

export function readRecord(name: string): LabRecord | null {
  try {
    return JSON.parse(readFileSync(labPaths(name).record, 'utf8')) as LabRecord;
  } catch {
    return null;
  }
}

export function writeRecord(record: LabRecord): void {
  const file = labPaths(record.name).record;
  mkdirSync(record.stateDir, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${file}.tmp`, file);
}

/**
 * Saves one host's fields into the record on disk, leaving the other hosts as they are there: two
 * hosts restarted at once (each with its own copy of the record) must not undo each other's pids.
 */
export function writeHost(record: LabRecord, host: HostRecord): void {
  const current = readRecord(record.name) ?? record;
  writeRecord({ ...current, hosts: current.hosts.map((h) => (h.name === host.name ? host : h)) });
}

export function requireRecord(name: string): LabRecord {
  const record = readRecord(name);
  if (record === null) {
    throw new LabError('LAB_NOT_UP', `lab "${name}" is not up: start it with \`npm run lab -- up --name ${name}\``);
  }
  return record;
}

export function findHost(record: LabRecord, host: string): HostRecord {
  const found = record.hosts.find((h) => h.name === host);
  if (!found) {
    const names = record.hosts.map((h) => h.name).join(', ');
    throw new LabError('LAB_NO_HOST', `lab "${record.name}" has no host "${host}" (it has ${names})`);
  }
  return found;
}

/** Per-host addresses and MACs: the same in every lab, since each lab has its own namespace. */
export function hostPlan(index: number) {
  const hex = index.toString(16).padStart(2, '0');
  return {
    mgmtNic: 'ens3',
    mgmtCidr: `198.51.100.${10 + index}/24`,
    mgmtMac: `52:54:00:${hex}:00:10`,
    gateway: '198.51.100.1',
    ctlAddress: `203.0.113.${10 + index}`,
    // Fixed, like every MAC here: a guest rebooted within seconds must not leave the lab namespace's
    // ARP entry pointing at the previous boot's random MAC (the control path would time out).
    ctlMac: `52:54:00:${hex}:00:20`,
    portMacPrefix: `52:54:00:${hex}:00`,
    switchMac: `02:b5:00:00:${hex}:fe`,
    mgmtTap: `tap${index}`,
    ctlTap: `ctl${index}`,
  };
}
