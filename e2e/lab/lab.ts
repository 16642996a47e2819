// The lab: user-mode Linux NAS hosts with real bonding, a switch and cables to pull (see README.md).
// Tests and the CLI (`npm run lab`) both use these functions.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlExec, closeMaster } from './lab-control';
import { bootWarnings, buildXstateLibrary, knownHostsLine, prepareHost, startGuest, stopGuest, waitGuestReady } from './lab-guest';
import { createLabNetns, deleteNetns, findForwarders, findLabProcesses, killNetnsProcesses, killQuietly, netnsExists, startForwarder } from './lab-network';
import { isAlive, run, waitFor } from './lab-process';
import { labRequirement, umlRelease } from './lab-requirement';
import { findHost, hostPlan, labName, labPaths, readRecord, requireRecord, writeHost, writeRecord, type HostRecord, type LabRecord } from './lab-state';
import { LabError, type ExecResult, type LabFlavor, type LabHostStatus, type LabStatus, type LabUpOptions, type LabUser } from './lab-types';

export * from './lab-types';
export { labRequirement, describeLab } from './lab-requirement';

const PORTS = ['eno1', 'eno2', 'eno3', 'eno4'] as const;
const MAX_HOSTS = 20;

function flavorOf(flavors: LabUpOptions['flavors'], index: number): LabFlavor {
  if (flavors === undefined) return 'linux';
  if (typeof flavors === 'string') return flavors;
  return flavors[Math.min(index - 1, flavors.length - 1)] ?? 'linux';
}

/** What the guests need from the machine that no package provides (LAB.md): idempotent. */
function prepareMachine(): void {
  const release = umlRelease();
  if (release === null) return;
  const link = `/lib/modules/${release}`;
  // modprobe in the guest looks in /lib/modules/<release>, which is the machine's (hostfs) directory.
  let present: boolean;
  try {
    present = lstatSync(link) !== undefined;
  } catch {
    present = false;
  }
  if (!present) {
    mkdirSync('/lib/modules', { recursive: true });
    try {
      symlinkSync(`/usr/lib/uml/modules/${release}`, link);
    } catch (err) {
      // Two labs starting side by side (parallel test files) both found it missing: one made it.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function toStatus(record: LabRecord): LabStatus {
  return {
    name: record.name,
    netns: record.netns,
    switchMode: record.switchMode,
    stateDir: record.stateDir,
    hosts: record.hosts.map((h): LabHostStatus => {
      const p = hostPlan(h.index);
      return {
        name: h.name,
        flavor: h.flavor,
        ssh: { host: '127.0.0.1', port: h.sshPort },
        users: ['root', 'admin'],
        keyPath: record.keyPath,
        knownHostsLine: knownHostsLine(record, h),
        mgmt: { nic: p.mgmtNic, address: p.mgmtCidr, gateway: p.gateway },
        switch: { mac: p.switchMac, address: '192.0.2.254/24', address6: '2001:db8::fe/64' },
        ports: [...PORTS],
        ...(h.flavor === 'truenas' ? { truenasVersion: h.truenasVersion } : {}),
        ...(h.bootSeconds !== undefined ? { bootSeconds: h.bootSeconds } : {}),
        running: isAlive(h.umlPid),
      };
    }),
  };
}

async function bootHost(record: LabRecord, host: HostRecord): Promise<void> {
  const startedAt = Date.now();
  host.umlPid = startGuest(record, host);
  writeHost(record, host);
  host.bootSeconds = Math.round((await waitGuestReady(record, host, startedAt)) * 10) / 10;
  const warnings = bootWarnings(record, host);
  if (warnings.length > 0) console.warn(`[lab] ${host.name} booted with problems:\n${warnings.join('\n')}`);
}

/** Boots a fresh lab (replacing one of the same name) and resolves when every host's sshd answers. */
export async function labUp(opts: LabUpOptions = {}): Promise<LabStatus> {
  const reason = labRequirement();
  if (reason !== null) throw new LabError('LAB_UNAVAILABLE', `the lab cannot run here: ${reason}`);
  const name = labName(opts.name);
  const count = opts.hosts ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new LabError('LAB_HOSTS', `--hosts must be a whole number from 1 to ${MAX_HOSTS} (got ${count})`);
  }
  await labDown(name);
  prepareMachine();
  const paths = labPaths(name);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `bondsmith-lab-${name}`, '-f', paths.keyPath]);
  await buildXstateLibrary(paths.stateDir);
  const record: LabRecord = {
    name,
    netns: paths.netns,
    stateDir: paths.stateDir,
    switchMode: opts.switchMode ?? 'lacp',
    keyPath: paths.keyPath,
    hosts: Array.from({ length: count }, (_, i) => ({
      name: `nas${i + 1}`,
      index: i + 1,
      flavor: flavorOf(opts.flavors, i + 1),
      truenasVersion: opts.truenasVersion ?? '',
      sshPort: 0,
      forwarderPid: 0,
      umlPid: 0,
    })),
  };
  try {
    writeRecord(record);
    await createLabNetns(record.netns, count);
    for (const host of record.hosts) {
      await prepareHost(record, host, true);
      const fwd = await startForwarder(record.netns, hostPlan(host.index).mgmtCidr.split('/')[0] ?? '', join(paths.hostDir(host.name), 'forwarder.log'));
      host.sshPort = fwd.port;
      host.forwarderPid = fwd.pid;
      writeRecord(record);
    }
    // One known_hosts file for the whole lab, for `npm run lab -- ssh` and for people.
    writeFileSync(join(paths.stateDir, 'known_hosts'), record.hosts.map((h) => knownHostsLine(record, h) ?? '').join('\n') + '\n');
    await Promise.all(record.hosts.map((h) => bootHost(record, h)));
    writeRecord(record);
  } catch (err) {
    if (process.env.BONDSMITH_LAB_KEEP !== '1') await labDown(name).catch(() => undefined);
    throw err;
  }
  return toStatus(record);
}

/** Stops everything of the lab: UML processes, forwarders, control connections, namespace, state. */
export async function labDown(name?: string): Promise<void> {
  const n = labName(name);
  const paths = labPaths(n);
  // Forwarders are found by their command line (which names this lab's namespace), not by the
  // recorded pids alone: a pid may have been reused, and a failed `up` may not have recorded one.
  const processes = findLabProcesses(paths.netns);
  for (const pid of findForwarders(paths.netns)) killQuietly(pid);
  await killNetnsProcesses(paths.netns);
  await deleteNetns(paths.netns);
  await waitFor('lab forwarders to end', 5000, () => (findForwarders(paths.netns).length === 0 ? true : null));
  // A killed UML guest takes seconds to exit (its processes leave the namespace first, so the wait
  // above can end early): down returns only when every process of the lab is gone from /proc, so an
  // `up` right after it never meets the old guests.
  await waitFor('lab processes to exit', 20_000, () => {
    const left = processes.filter((pid) => existsSync(`/proc/${pid}`));
    for (const pid of left) killQuietly(pid);
    return left.length === 0 ? true : null;
  });
  rmSync(paths.stateDir, { recursive: true, force: true });
}

export async function labStatus(name?: string): Promise<LabStatus | null> {
  const n = labName(name);
  const record = readRecord(n);
  if (record === null) return null;
  if (!(await netnsExists(record.netns))) return null;
  return toStatus(record);
}

function switchPort(port: string): string {
  const m = /^(?:eno)?([1-4])$/.exec(port);
  if (!m) throw new LabError('LAB_PORT', `unknown port "${port}": use eno1, eno2, eno3 or eno4`);
  return `swp${m[1]}`;
}

async function setCable(host: string, port: string, up: boolean, name?: string): Promise<void> {
  const record = requireRecord(labName(name));
  const h = findHost(record, host);
  const sw = switchPort(port);
  const marker = join(labPaths(record.name).hostDir(h.name), `cut-${sw}`);
  // The marker keeps a cut cable cut across a guest reboot (init reads it).
  if (up) rmSync(marker, { force: true });
  else writeFileSync(marker, `${new Date().toISOString()}\n`);
  const r = await controlExec(record, h, `ip -n sw link set ${sw} ${up ? 'up' : 'down'}`);
  if (r.code !== 0) throw new LabError('LAB_CABLE', `cannot ${up ? 'restore' : 'cut'} ${host} ${port}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Pulls the cable of a port: the switch-side link goes down, so the guest's port loses carrier. */
export function labCut(host: string, port: string, name?: string): Promise<void> {
  return setCable(host, port, false, name);
}

export function labRestore(host: string, port: string, name?: string): Promise<void> {
  return setCable(host, port, true, name);
}

async function restartHost(host: string, name: string | undefined, wipe: boolean): Promise<LabHostStatus> {
  const record = requireRecord(labName(name));
  const h = findHost(record, host);
  // The state disk is mounted sync; this sync is for anything else still in flight.
  if (isAlive(h.umlPid)) await controlExec(record, h, 'sync', { timeoutMs: 5000, probeTimeoutMs: 2000 }).catch(() => undefined);
  await closeMaster(record, h);
  await stopGuest(h);
  await prepareHost(record, h, wipe);
  await bootHost(record, h);
  writeHost(record, h);
  const status = toStatus(record).hosts.find((s) => s.name === h.name);
  if (!status) throw new LabError('LAB_NO_HOST', `${host} vanished from the lab record`);
  return status;
}

/** Power-cycles a host (state on its disk survives) and resolves when its sshd answers again. */
export function labReboot(host: string, name?: string): Promise<LabHostStatus> {
  return restartHost(host, name, false);
}

/** Wipes a host's persistent state (a fresh disk, cables plugged back) and boots it again. */
export function labReset(host: string, name?: string): Promise<LabHostStatus> {
  return restartHost(host, name, true);
}

/** Runs a shell command in the guest's main namespace over the control path (works with ens3 broken). */
export async function labExec(host: string, command: string, opts: { user?: LabUser; timeoutMs?: number; probeTimeoutMs?: number } = {}, name?: string): Promise<ExecResult> {
  const record = requireRecord(labName(name));
  return controlExec(record, findHost(record, host), command, opts);
}

export { PORTS as LAB_PORTS };
