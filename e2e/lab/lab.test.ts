// The lab itself: hosts boot, SSH works for both users, a hand-built bond negotiates LACP with the
// switch, a pulled cable shows in the bond, /etc survives a reboot, `down` leaves nothing behind.
// Run: npx vitest run --config e2e/vitest.config.ts e2e/lab/lab.test.ts
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { labPaths } from './lab-state';
import { describeLab, labCut, labDown, labExec, labReboot, labReset, labRestore, labStatus, labUp, type LabHostStatus, type LabStatus } from './lab';

const LAB = 'labtest';
const STATIC_LAB = 'labtest-static';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

function sh(cmd: string, args: string[], timeoutMs = 30_000): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** OpenSSH through the loopback forwarder, checking the guest's host key against the lab's line. */
function sshAs(host: LabHostStatus, user: string, command: string, knownHosts: string): Promise<Ran> {
  return sh('ssh', [
    '-i', host.keyPath, '-p', String(host.ssh.port),
    '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
    `${user}@${host.ssh.host}`, command,
  ]);
}

interface BondView {
  partnerMac: string | null;
  slaves: { name: string; mii: string; aggregator: string | null }[];
}

function parseBond(text: string): BondView {
  const [head = '', ...slaveBlocks] = text.split(/^Slave Interface: /m);
  return {
    partnerMac: /Partner Mac Address: (\S+)/.exec(head)?.[1] ?? null,
    slaves: slaveBlocks.map((b) => ({
      name: b.split('\n')[0]?.trim() ?? '',
      mii: /MII Status: (\S+)/.exec(b)?.[1] ?? '',
      aggregator: /Aggregator ID: (\d+)/.exec(b)?.[1] ?? null,
    })),
  };
}

async function pollBond(host: string, lab: string, want: (b: BondView) => boolean, what: string): Promise<BondView> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await labExec(host, 'cat /proc/net/bonding/bond0', {}, lab);
    last = r.stdout + r.stderr;
    const view = parseBond(r.stdout);
    if (r.code === 0 && want(view)) return view;
    await new Promise((res) => setTimeout(res, 300));
  }
  throw new Error(`bond0 on ${host} never showed ${what}; last /proc/net/bonding/bond0:\n${last}`);
}

const lacpBond = [
  'ip link add bond0 type bond mode 802.3ad lacp_rate fast miimon 100 xmit_hash_policy layer2+3',
  'ip link set eno1 down', 'ip link set eno1 master bond0', 'ip link set eno2 down', 'ip link set eno2 master bond0',
  'ip link set bond0 up', 'ip addr add 192.0.2.10/24 dev bond0',
].join(' && ');

// A TCP connection refused by the switch's address proves frames crossed the bond both ways.
const reachSwitch = "timeout 8 bash -c 'exec 3<>/dev/tcp/192.0.2.254/9' 2>&1; true";

/** Pids of every process whose command line names the lab (UML guests, forwarders). */
function labProcesses(lab: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`bondsmith-${lab}`);
      } catch {
        return false;
      }
    });
}

describeLab('the lab', () => {
  let lab: LabStatus;
  let staticLab: LabStatus;
  let knownHosts: string;
  const scratch = mkdtempSync(join(tmpdir(), 'labtest-'));
  const host = (name: string): LabHostStatus => {
    const h = lab.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no ${name} in the lab`);
    return h;
  };

  beforeAll(async () => {
    const t0 = Date.now();
    // Three guests boot at once: two in one lab (both flavors), one in a lab whose switch has a static LAG.
    [lab, staticLab] = await Promise.all([
      labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'] }),
      labUp({ name: STATIC_LAB, hosts: 1, switchMode: 'static' }),
    ]);
    const boots = [...lab.hosts, ...staticLab.hosts].map((h) => `${h.name}=${h.bootSeconds ?? '?'} s`).join(', ');
    console.log(`[lab] 3 hosts in parallel ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${boots})`);
    knownHosts = join(scratch, 'known_hosts');
    writeFileSync(knownHosts, lab.hosts.map((h) => h.knownHostsLine ?? '').join('\n') + '\n');
  });

  afterAll(async () => {
    await Promise.all([labDown(LAB), labDown(STATIC_LAB)]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports each host with a loopback SSH endpoint, users, key, flavor and switch MAC', async () => {
    const status = await labStatus(LAB);
    expect(status?.hosts.map((h) => [h.name, h.flavor, h.ssh.host, h.users.join(',')])).toEqual([
      ['nas1', 'linux', '127.0.0.1', 'root,admin'],
      ['nas2', 'truenas', '127.0.0.1', 'root,admin'],
    ]);
    expect(existsSync(host('nas1').keyPath)).toBe(true);
    expect(host('nas1').knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /);
    expect(host('nas1').switch.mac).toMatch(/^02:b5:/);
  });

  it('lets root and admin in with the key, and gives admin passwordless sudo on the linux flavor', async () => {
    const root = await sshAs(host('nas1'), 'root', 'id -un; hostname', knownHosts);
    console.log(`[lab] ssh connect + command: ${root.seconds.toFixed(2)} s`);
    expect(root.stdout.split('\n').slice(0, 2)).toEqual(['root', 'nas1']);
    const admin = await sshAs(host('nas1'), 'admin', 'id -un; sudo -n id -u', knownHosts);
    expect(admin.stdout.split('\n').slice(0, 2)).toEqual(['admin', '0']);
  });

  it('lets admin run midclt without sudo on the truenas flavor', async () => {
    const r = await sshAs(host('nas2'), 'admin', 'id -Gn; midclt call system.version_short', knownHosts);
    expect(r.stdout).toContain('builtin_administrators');
    expect(r.code).toBe(0);
  });

  it('shows the app only ens3, lo and eno1..eno4, and routes nothing of the lab in the main namespace', async () => {
    const r = await labExec('nas1', 'ls /sys/class/net', {}, LAB);
    expect(r.stdout.split(/\s+/).filter((n) => n && n !== 'bonding_masters').sort()).toEqual(['eno1', 'eno2', 'eno3', 'eno4', 'ens3', 'lo']);
    const routes = await sh('ip', ['-4', 'route', 'show', 'table', 'all']);
    // (192.0.2.0/24, the switch's range, may be the machine's own network; the switch lives in a guest.)
    expect(routes.stdout).not.toMatch(/198\.51\.100\.|203\.0\.113\./);
  });

  it('negotiates LACP between a bond on eno1+eno2 and the switch, and passes traffic', async () => {
    const built = await labExec('nas1', lacpBond, {}, LAB);
    expect(built.stderr).toBe('');
    const bond = await pollBond('nas1', LAB, (b) => b.partnerMac === host('nas1').switch.mac && b.slaves.length === 2 && b.slaves[0]?.aggregator === b.slaves[1]?.aggregator, 'the switch as partner on one aggregator');
    expect(bond.slaves.map((s) => s.name)).toEqual(['eno1', 'eno2']);
    expect((await labExec('nas1', reachSwitch, {}, LAB)).stdout).toContain('Connection refused');
  });

  it('shows a pulled cable in the bond, and a plugged one comes back', async () => {
    await labCut('nas1', 'eno2', LAB);
    const cut = await pollBond('nas1', LAB, (b) => b.slaves.find((s) => s.name === 'eno2')?.mii === 'down', 'eno2 down');
    expect(cut.slaves.find((s) => s.name === 'eno1')?.mii).toBe('up');
    await labRestore('nas1', 'eno2', LAB);
    await pollBond('nas1', LAB, (b) => b.slaves.every((s) => s.mii === 'up') && b.slaves[0]?.aggregator === b.slaves[1]?.aggregator, 'both ports up on one aggregator');
  });

  it('keeps /etc/network/interfaces.d across a reboot (ifup -a builds the bond), and reset wipes a host', async () => {
    const conf = [
      'auto bond0', 'iface bond0 inet static', '    address 192.0.2.10/24', '    bond-slaves eno1 eno2', '    bond-mode 802.3ad',
      '    bond-miimon 100', '    bond-lacp-rate fast', '    bond-xmit-hash-policy layer2+3', '',
    ].join('\n');
    await labExec('nas1', `ip link del bond0 && printf '%s' '${conf}' > /etc/network/interfaces.d/bond0`, {}, LAB);
    await labExec('nas2', 'echo kept > /etc/lab-marker', {}, LAB);
    const [rebooted, reset] = await Promise.all([labReboot('nas1', LAB), labReset('nas2', LAB)]);
    console.log(`[lab] reboot ready in ${rebooted.bootSeconds ?? '?'} s, reset ready in ${reset.bootSeconds ?? '?'} s`);
    await pollBond('nas1', LAB, (b) => b.partnerMac === host('nas1').switch.mac && b.slaves.length === 2, 'LACP after reboot');
    expect((await labExec('nas2', 'cat /etc/lab-marker', {}, LAB)).code).not.toBe(0);
  });

  it('reaches a guest over the control path when its management NIC is down', async () => {
    await labExec('nas1', 'ip link set ens3 down', {}, LAB);
    const ssh = await sshAs(host('nas1'), 'root', 'true', knownHosts);
    expect(ssh.code).not.toBe(0);
    expect((await labExec('nas1', 'hostname', {}, LAB)).stdout.trim()).toBe('nas1');
    await labExec('nas1', 'ip link set ens3 up && ip route replace default via 198.51.100.1', {}, LAB);
  });

  it('builds the switch side from --switch: a static LAG has no LACP partner but carries a balance-xor bond', async () => {
    const lacp = await labExec('nas1', lacpBond, {}, STATIC_LAB);
    expect(lacp.code).toBe(0);
    const bond = await pollBond('nas1', STATIC_LAB, (b) => b.slaves.length === 2 && b.slaves.every((s) => s.mii === 'up'), 'two ports up');
    expect(bond.partnerMac).toBe('00:00:00:00:00:00');
    await labExec('nas1', 'ip link del bond0', {}, STATIC_LAB);
    await labExec('nas1', lacpBond.replace('mode 802.3ad lacp_rate fast', 'mode balance-xor'), {}, STATIC_LAB);
    expect((await labExec('nas1', reachSwitch, {}, STATIC_LAB)).stdout).toContain('Connection refused');
  });

  it('says a guest that stopped answering on its control path is a lab hang, not an app failure', async () => {
    // SIGSTOP on the guest's UML processes: like the UML hang, its processes never run again, so
    // sshd never answers (the hang spins where this sleeps; the control path sees the same silence).
    const status = await labStatus(LAB);
    const nas2 = status?.hosts.find((h) => h.name === 'nas2');
    expect(nas2).toBeDefined();
    const umids = `umid=${labPaths(LAB).netns}-nas2`;
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && (() => { try { return readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').includes(umids); } catch { return false; } })()).map(Number);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      const err = await labExec('nas2', 'hostname', { timeoutMs: 4000, probeTimeoutMs: 4000 }, LAB).then(() => null, (e: unknown) => e);
      expect(String(err)).toMatch(/^LabError: lab guest nas2 stopped answering \(UML hang\), not an app failure: .*UML processes \d+ \(/);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    // UML does not survive its ptraced processes being stopped under it: power-cycle the guest, and
    // a command that answers is not called a hang.
    await labReboot('nas2', LAB);
    expect((await labExec('nas2', 'hostname', { timeoutMs: 60_000 }, LAB)).stdout.trim()).toBe('nas2');
  });

  it('leaves nothing behind on down, and a second down is fine', async () => {
    const port = staticLab.hosts[0]?.ssh.port ?? 0;
    // Every process of the lab, by its command line, before down: each must be gone (not even
    // exiting or a zombie) when down returns, so that an `up` right after it cannot collide.
    const before = labProcesses(STATIC_LAB);
    expect(before.length).toBeGreaterThan(0);
    await labDown(STATIC_LAB);
    expect(before.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    await labDown(STATIC_LAB);
    expect((await sh('ip', ['netns', 'list'])).stdout).not.toContain(`bondsmith-${STATIC_LAB}`);
    expect(existsSync(staticLab.stateDir)).toBe(false);
    expect(labProcesses(STATIC_LAB)).toEqual([]);
    expect((await sh('ssh', ['-p', String(port), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', 'root@127.0.0.1', 'true'])).code).toBe(255);
    expect(await labStatus(STATIC_LAB)).toBeNull();
  });
});
