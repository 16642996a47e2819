import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planBondChange } from '../plan-change';
import { scriptsInPrepareDetail } from './plan';
import type { Plan } from '../../plan/plan-types';
import { linuxFacts, spec } from '../../../e2e/kit/host-facts';

// Runs the Linux plan's own step commands through a real sh, with the box's paths moved into a temp
// root, to prove the arm / confirm / revert protocol: exactly one of confirm and rollback wins, the
// timer's whole process group stops on confirm, files are written only on confirm, byte-exact.
// The real restore script (iproute2 commands) is replaced by one that only leaves a marker, and the
// apply step is never run: nothing here touches this machine's network.

const INTERFACES = 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nauto eno2\niface eno2 inet dhcp\n';
const DESCRIPTION = `it's "$(touch /tmp/pwned)" \`id\` ☃ Zürich 🙂`;

let root = '';
const timers: number[] = [];

function setup(timeout = 10): Plan {
  root = mkdtempSync(join(tmpdir(), 'bondsmith-box-'));
  mkdirSync(join(root, 'etc/network/interfaces.d'), { recursive: true });
  // The box's file, with its paths moved into the temp root like every command's.
  writeFileSync(join(root, 'etc/network/interfaces'), boxed(INTERFACES));
  // Cgroup hierarchies: the unified one and logind's named one track logins, memory is a resource
  // controller the timer must stay in.
  for (const d of ['cg2', 'cg-systemd', 'cg-memory']) mkdirSync(join(root, d));
  writeFileSync(join(root, 'mounts'), `cgroup2 ${root}/cg2 cgroup2 rw,nosuid 0 0\ncgroup ${root}/cg-systemd cgroup rw,name=systemd 0 0\ncgroup ${root}/cg-memory cgroup rw,memory 0 0\n`);
  for (const d of ['cg2', 'cg-systemd', 'cg-memory']) writeFileSync(join(root, d, 'cgroup.procs'), '');
  const r = planBondChange({
    hostId: 'h1',
    facts: linuxFacts(),
    action: 'create',
    spec: spec({ description: DESCRIPTION }),
    options: { runId: 'proto1', checkinTimeoutSeconds: timeout, extras: { files: { interfaces: INTERFACES, interfacesD: {} } } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.plan;
}

function boxed(command: string): string {
  // The machine's mount table and systemd are replaced too: the timer moves itself between the
  // cgroups of a mount table of the test's own (see setup), and never becomes a unit here.
  return command
    .replaceAll('/var/lib/bondsmith', `${root}/var`)
    .replaceAll('/run/bondsmith', `${root}/run`)
    .replaceAll('/etc/network', `${root}/etc/network`)
    .replaceAll('/proc/mounts', `${root}/mounts`)
    .replaceAll('/run/systemd/system', `${root}/no-systemd`);
}

function run(plan: Plan, id: string): { code: number | null; stdout: string } {
  const step = plan.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  // fd 3 is a pipe of the caller's, as sshd's channel is the login's: spawnSync returns only once
  // every process holding it is gone, so a timer that kept it would hold the arm step open.
  const r = spawnSync('sh', ['-c', boxed(step.command)], { encoding: 'utf8', timeout: 20_000, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout.trim() };
}

function prepareAndArm(plan: Plan, sleepSeconds?: number): number {
  expect(run(plan, 'prepare')).toMatchObject({ code: 0 });
  const dir = join(root, 'var/rollback/proto1');
  // The scripts arrive byte-exact through the nested quoting, as the plan shows them.
  const scripts = scriptsInPrepareDetail(plan.steps.find((s) => s.id === 'prepare')?.detail ?? '');
  expect(Object.keys(scripts)).toEqual(['restore.sh', 'apply.sh', 'timer.sh']);
  for (const [file, content] of Object.entries(scripts)) expect(readFileSync(join(dir, file), 'utf8')).toBe(boxed(content));
  expect(scripts['restore.sh']).toBe(plan.rollbackScript);
  writeFileSync(join(dir, 'restore.sh'), 'touch "$D/restored"\n'.replace('$D', dir));
  if (sleepSeconds !== undefined) writeFileSync(join(dir, 'timer.sh'), readFileSync(join(dir, 'timer.sh'), 'utf8').replace(/^sleep \d+$/m, `sleep ${sleepSeconds}`));
  const armed = run(plan, 'arm');
  expect(armed.stdout).toMatch(new RegExp(plan.steps.find((s) => s.id === 'arm')?.check.kind === 'stdout-matches' ? '^armed [0-9]+$' : 'x'));
  const pid = Number(armed.stdout.split(' ')[1]);
  timers.push(pid);
  return pid;
}

/** Any process of the group still running (zombies waiting for init to reap them do not count). */
function alive(pgid: number): boolean {
  const ps = spawnSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' });
  return ps.stdout.split('\n').some((stat) => stat.trim() !== '' && !stat.trim().startsWith('Z'));
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return condition();
}

afterEach(() => {
  for (const pid of timers.splice(0)) if (alive(pid)) process.kill(-pid, 'SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('Linux rollback protocol, run for real in a temp root', () => {
  it('confirm stops the timer group and writes the files byte-exact', async () => {
    const plan = setup();
    const pid = prepareAndArm(plan);
    expect(alive(pid)).toBe(true);
    expect(run(plan, 'confirm')).toEqual({ code: 0, stdout: 'confirmed' });
    expect(await until(() => !alive(pid), 3000)).toBe(true);
    const bondFile = readFileSync(join(root, 'etc/network/interfaces.d/bond0'), 'utf8');
    expect(bondFile.split('\n')[1]).toBe(`# Description: ${DESCRIPTION}`);
    expect(readFileSync(join(root, 'etc/network/interfaces'), 'utf8')).toContain('#bondsmith# iface eno2 inet dhcp');
    expect(existsSync(join(root, 'var/rollback/proto1/restored'))).toBe(false);
    expect(existsSync('/tmp/pwned')).toBe(false);
    // No temporary file is left where `source interfaces.d/*` would read it.
    expect(readFileSync(join(root, 'etc/network/interfaces.d/bond0'), 'utf8')).toBe(bondFile);
    expect(spawnSync('ls', ['-A', join(root, 'etc/network/interfaces.d')], { encoding: 'utf8' }).stdout.trim()).toBe('bond0');
  });

  it('the timer restores on its own, and a late confirm is refused with exit 3', async () => {
    const plan = setup();
    prepareAndArm(plan, 1);
    expect(await until(() => existsSync(join(root, 'var/rollback/proto1/restored')), 5000)).toBe(true);
    expect(run(plan, 'confirm')).toMatchObject({ code: 3 });
    expect(existsSync(join(root, 'etc/network/interfaces.d/bond0'))).toBe(false);
    expect(readFileSync(join(root, 'etc/network/interfaces'), 'utf8')).toBe(boxed(INTERFACES));
  });

  it('a manual revert restores now and stops the timer', async () => {
    const plan = setup();
    const pid = prepareAndArm(plan);
    // Restore only runs when the apply started; pretend it did.
    writeFileSync(join(root, 'var/rollback/proto1/apply-started'), '');
    expect(run(plan, 'rollback')).toEqual({ code: 0, stdout: 'restored' });
    expect(await until(() => !alive(pid), 3000)).toBe(true);
    expect(run(plan, 'confirm')).toMatchObject({ code: 3 });
  });

  it('after a restart inside the window (the /run tmpfs is empty) revert reports the saved configuration as restored', () => {
    const plan = setup();
    const pid = prepareAndArm(plan);
    // What a power cut does: the timer is gone with /run; /var and /etc stay as they were.
    process.kill(-pid, 'SIGKILL');
    rmSync(join(root, 'run'), { recursive: true, force: true });
    const r = run(plan, 'rollback');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/booted its saved configuration\nrestored$/);
    expect(existsSync(join(root, 'etc/network/interfaces.d/bond0'))).toBe(false);
  });

  it('confirm refuses (exit 5) and leaves the timer armed when a file changed meanwhile', () => {
    const plan = setup();
    const pid = prepareAndArm(plan);
    writeFileSync(join(root, 'etc/network/interfaces'), `${boxed(INTERFACES)}# edited by hand\n`);
    expect(run(plan, 'confirm')).toMatchObject({ code: 5 });
    expect(alive(pid)).toBe(true);
    expect(existsSync(join(root, 'run/proto1/armed'))).toBe(true);
  });

  it('the timer runs detached: a session of its own, no descriptor of its caller, out of the login-tracking cgroups only', () => {
    const plan = setup();
    const t0 = Date.now();
    const pid = prepareAndArm(plan);
    // The arm step returned at once although the timer sleeps on (it holds none of the caller's pipes).
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(alive(pid)).toBe(true);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
    expect({ pgrp, session }).toEqual({ pgrp: pid, session: pid });
    const fds = spawnSync('ls', [`/proc/${pid}/fd`], { encoding: 'utf8' }).stdout.split('\n').filter((x) => x !== '').map(Number);
    expect(fds.filter((fd) => fd >= 3 && fd <= 9)).toEqual([]);
    expect(readFileSync(join(root, 'cg2/cgroup.procs'), 'utf8').trim()).toBe(String(pid));
    expect(readFileSync(join(root, 'cg-systemd/cgroup.procs'), 'utf8').trim()).toBe(String(pid));
    expect(readFileSync(join(root, 'cg-memory/cgroup.procs'), 'utf8')).toBe('');
  });

  it('a second change is refused while one is armed', () => {
    const plan = setup();
    prepareAndArm(plan);
    const other = plan.steps.find((s) => s.id === 'prepare');
    const r = spawnSync('sh', ['-c', boxed(other?.command ?? '')], { encoding: 'utf8' });
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/another change is still pending/);
  });
});
