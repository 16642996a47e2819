// One lab guest: its state on the machine (host.env, keys, disk image) and its UML process.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, run, waitFor } from './lab-process';
import { sshBanner, killQuietly } from './lab-network';
import { hostPlan, labPaths, type HostRecord, type LabRecord } from './lab-state';
import { LabError } from './lab-types';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INIT = join(REPO_ROOT, 'e2e', 'lab', 'guest', 'init.sh');
const UML = '/usr/bin/linux.uml';
const XSTATE_SOURCE = join(REPO_ROOT, 'e2e', 'lab', 'uml-xstate.c');
const READY = /bondsmith-lab: \[[\d.]+\] ready/;
const BOOT_FAILURE = /Kernel panic|bondsmith-lab: \[[\d.]+\] FATAL[^\n]*/;

/** Writes everything the guest reads at boot. A fresh disk image means a fresh box. */
export async function prepareHost(record: LabRecord, host: HostRecord, freshDisk: boolean): Promise<void> {
  const dir = labPaths(record.name).hostDir(host.name);
  mkdirSync(dir, { recursive: true });
  const p = hostPlan(host.index);
  const env = {
    LAB_HOST: host.name,
    LAB_FLAVOR: host.flavor,
    LAB_MGMT_NIC: p.mgmtNic,
    LAB_MGMT_CIDR: p.mgmtCidr,
    LAB_MGMT_MAC: p.mgmtMac,
    LAB_GATEWAY: p.gateway,
    LAB_CTL_CIDR: `${p.ctlAddress}/24`,
    LAB_CTL_MAC: p.ctlMac,
    LAB_PORT_MAC_PREFIX: p.portMacPrefix,
    LAB_SWITCH_MAC: p.switchMac,
    LAB_SWITCH_MODE: record.switchMode,
    LAB_REPO: REPO_ROOT,
    LAB_TRUENAS_VERSION: host.truenasVersion,
  };
  // Values are ours (no quotes or spaces), so plain KEY=value lines are safe for `.` in sh.
  writeFileSync(join(dir, 'host.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  copyFileSync(`${record.keyPath}.pub`, join(dir, 'authorized_keys'));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  if (!existsSync(hostKey)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', host.name, '-f', hostKey]);
  const disk = join(dir, 'disk.img');
  if (freshDisk || !existsSync(disk)) {
    rmSync(disk, { force: true });
    for (const f of readdirSync(dir)) if (f.startsWith('cut-')) rmSync(join(dir, f));
    await run('truncate', ['-s', '256M', disk]);
    await run('mkfs.ext4', ['-q', '-F', '-L', `${host.name}-state`, disk]);
  }
}

export function knownHostsLine(record: LabRecord, host: HostRecord): string | undefined {
  try {
    const pub = readFileSync(join(labPaths(record.name).hostDir(host.name), 'ssh_host_ed25519_key.pub'), 'utf8');
    const [type, key] = pub.trim().split(/\s+/);
    return `[127.0.0.1]:${host.sshPort} ${type} ${key}`;
  } catch {
    return undefined;
  }
}

function consolePath(record: LabRecord, host: HostRecord): string {
  return join(labPaths(record.name).hostDir(host.name), 'console.log');
}

/** Where a lab keeps its build of uml-xstate.c (see that file: UML 6.1 on CPUs with AVX-512 or AMX). */
function xstateLibrary(stateDir: string): string {
  return join(stateDir, 'uml-xstate.so');
}

/** Compiles the ptrace wrapper every guest of this lab preloads; a second call is free. */
export async function buildXstateLibrary(stateDir: string): Promise<void> {
  const out = xstateLibrary(stateDir);
  if (existsSync(out)) return;
  const built = await run('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-o', out, XSTATE_SOURCE, '-ldl']);
  if (built.code !== 0) throw new LabError('LAB_BUILD', `cannot compile ${XSTATE_SOURCE}: ${built.stderr.trim()}`);
}

/** Starts the UML process inside the lab namespace, detached so it outlives the CLI. */
export function startGuest(record: LabRecord, host: HostRecord): number {
  const paths = labPaths(record.name);
  const dir = paths.hostDir(host.name);
  const p = hostPlan(host.index);
  const umid = `${record.netns}-${host.name}`;
  // A killed guest leaves its umid dir behind; UML would then pick a random umid.
  rmSync(join(paths.umlDir, umid), { recursive: true, force: true });
  mkdirSync(paths.umlDir, { recursive: true });
  const log = openSync(consolePath(record, host), 'w');
  const args = [
    'netns', 'exec', record.netns, UML,
    `umid=${umid}`, `uml_dir=${paths.umlDir}`, 'mem=256M', 'quiet',
    'root=/dev/root', 'rootfstype=hostfs', 'rootflags=/', 'ro', `init=${INIT}`,
    `lab_dir=${dir}`, `ubd0=${join(dir, 'disk.img')}`,
    `vec0:transport=tap,ifname=${p.mgmtTap}`, `vec1:transport=tap,ifname=${p.ctlTap}`,
    'con=null', 'con0=null,fd:1',
  ];
  // Guests run the machine's binaries; the wrapper lives in UML's own process only (UML never execs).
  const library = xstateLibrary(paths.stateDir);
  if (!existsSync(library)) throw new LabError('LAB_BUILD', `${library} is missing: the lab was started by an older version; run down, then up`);
  const env = { ...process.env, LD_PRELOAD: library };
  const child = spawn('ip', args, { detached: true, stdio: ['ignore', log, log], env });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new LabError('LAB_BOOT', `cannot start ${UML} for ${host.name}`);
  return child.pid;
}

/** Resolves with the boot time in seconds once init said "ready" and sshd answers through the forwarder. */
// Generous: a busy 2-core machine has been seen taking 85 s for three parallel boots.
export async function waitGuestReady(record: LabRecord, host: HostRecord, startedAt: number, timeoutMs = 180_000): Promise<number> {
  const consoleFile = consolePath(record, host);
  await waitFor(`${host.name} to boot (console: ${consoleFile})`, timeoutMs, () => {
    let text: string;
    try {
      text = readFileSync(consoleFile, 'utf8');
    } catch {
      return null;
    }
    if (READY.test(text)) return true;
    const failure = BOOT_FAILURE.exec(text);
    if (failure || !isAlive(host.umlPid)) {
      const tail = text.split('\n').slice(-15).join('\n');
      throw new LabError('LAB_BOOT', `${host.name} did not boot: ${failure?.[0] ?? 'the UML process ended'}\n--- console tail (${consoleFile}):\n${tail}`);
    }
    return null;
  }, 150);
  await waitFor(`sshd on ${host.name} (127.0.0.1:${host.sshPort})`, 20_000, async () => ((await sshBanner(host.sshPort)) ? true : null), 150);
  return (Date.now() - startedAt) / 1000;
}

/** Boot-time complaints the init printed (a failed step does not stop the boot). */
export function bootWarnings(record: LabRecord, host: HostRecord): string[] {
  try {
    return readFileSync(consolePath(record, host), 'utf8')
      .split('\n')
      .filter((l) => /bondsmith-lab: \[[\d.]+\] .*(failed|cannot)/.test(l));
  } catch {
    return [];
  }
}

/** Kills the guest's whole process group (UML runs one host process per guest process). */
export async function stopGuest(host: HostRecord): Promise<void> {
  if (!isAlive(host.umlPid)) return;
  try {
    process.kill(-host.umlPid, 'SIGKILL');
  } catch {
    killQuietly(host.umlPid);
  }
  await waitFor(`${host.name}'s UML process to end`, 10_000, () => (isAlive(host.umlPid) ? null : true));
}
