import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BondSpec } from '../../preload/contract/bond-spec';
import { describeLab, labDown, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, auditEntries, auditFor, bondSpec, connectHost, eventually, makeKit, onBox, procBonding, type Kit } from '../../e2e/kit/apply-kit';

// Edits a NAS admin makes to a bond, applied for real and kept on both flavors (nas1: ifupdown,
// nas2: the TrueNAS middleware double), driven through the services like the UI drives them:
// MTU 9000, several aliases at once (one IPv6), FAILOVER members reordered (the kernel's primary
// follows), a member added and another removed in one edit, DHCP with a lease from the lab switch
// (opened again as DHCP), and the plan's warning when the SSH path's MTU would change. One lab.

const LAB = 'it-apply-edits';
let lab: LabStatus;
let kit: Kit;
const ids: Record<string, string> = {};

const slaves = (proc: string): string[] => [...proc.matchAll(/^Slave Interface: (\S+)/gm)].map((m) => m[1] ?? '');
const activeSlave = (proc: string): string => /Currently Active Slave: (\S+)/.exec(proc)?.[1] ?? 'none';
const mtuOf = async (host: string, nic: string): Promise<number | null> => {
  const m = /\bmtu (\d+)/.exec(await onBox(kit, host, `ip -o link show dev ${nic}`));
  return m ? Number(m[1]) : null;
};
const addressesOf = async (host: string, nic: string): Promise<string[]> =>
  [...(await onBox(kit, host, `ip -o addr show dev ${nic} scope global`)).matchAll(/\binet6? (\S+)/g)].map((m) => m[1] ?? '');
const reaches = async (host: string, address: string): Promise<boolean> =>
  /refused/i.test(await onBox(kit, host, `timeout 4 bash -c 'exec 3<>/dev/tcp/${address}/9' 2>&1; true`));
const openedAs = async (hostId: string, bond: string): Promise<BondSpec | null> =>
  (await kit.services.sessions.refresh(hostId)).view?.bonds.find((b) => b.name === bond)?.spec ?? null;

const ALIASES = [
  { address: '192.0.2.21', prefix: 24 },
  { address: '192.0.2.22', prefix: 24 },
  { address: '2001:db8::21', prefix: 64 },
];

describeLab('bond edits applied and kept on both flavors', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'] });
    kit = await makeKit(LAB);
    for (const host of lab.hosts) ids[host.name] = await connectHost(kit, host, 'root');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  for (const [host, flavor] of [['nas1', 'ifupdown'], ['nas2', 'TrueNAS middleware']] as const) {
    describe(`${host} (${flavor})`, () => {
      const failover = bondSpec({ name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], mtu: 9000, aliases: ALIASES, description: 'jumbo storage' });

      it('FAILOVER with MTU 9000 and three aliases at once, one IPv6: the kernel runs them and the switch answers on both families', async () => {
        await applyAndKeep(kit, ids[host] ?? '', { action: 'create', spec: failover, bondName: null, checkinTimeoutSeconds: 90 });
        expect(await mtuOf(host, 'bond1')).toBe(9000);
        // The bond passes its MTU down to its ports.
        expect(await mtuOf(host, 'eno3')).toBe(9000);
        expect(await mtuOf(host, 'eno4')).toBe(9000);
        expect((await addressesOf(host, 'bond1')).sort()).toEqual(['192.0.2.21/24', '192.0.2.22/24', '2001:db8::21/64']);
        expect(await eventually('the switch answers over IPv4', () => reaches(host, '192.0.2.254'), (ok) => ok, 20_000)).toBe(true);
        // An IPv6 address is tentative until duplicate address detection is done.
        expect(await eventually('the switch answers over IPv6', () => reaches(host, '2001:db8::fe'), (ok) => ok, 20_000)).toBe(true);
        const proc = await procBonding(kit, host, 'bond1');
        expect(slaves(proc)).toEqual(['eno3', 'eno4']);
        expect(activeSlave(proc)).toBe('eno3');
        expect(await openedAs(ids[host] ?? '', 'bond1')).toMatchObject({ mtu: 9000, dhcp: false, members: ['eno3', 'eno4'], aliases: expect.arrayContaining(ALIASES) as unknown });
      });

      it('reordering the members makes the new first one the primary, and /proc/net/bonding says so', async () => {
        const reordered = { ...failover, members: ['eno4', 'eno3'] };
        await applyAndKeep(kit, ids[host] ?? '', { action: 'update', spec: reordered, bondName: 'bond1', checkinTimeoutSeconds: 90 });
        const proc = await eventually('eno4 is the active member', () => procBonding(kit, host, 'bond1'), (t) => activeSlave(t) === 'eno4', 20_000);
        expect(proc).toContain('Bonding Mode: fault-tolerance (active-backup)');
        expect(new Set(slaves(proc))).toEqual(new Set(['eno3', 'eno4']));
        expect(await openedAs(ids[host] ?? '', 'bond1')).toMatchObject({ members: ['eno4', 'eno3'] });
        // The addresses and the MTU came through the edit.
        expect((await addressesOf(host, 'bond1')).sort()).toEqual(['192.0.2.21/24', '192.0.2.22/24', '2001:db8::21/64']);
        expect(await mtuOf(host, 'bond1')).toBe(9000);
      });

      it('one edit adds a member (eno2) and removes another (eno3): the removed port is free again', async () => {
        const swapped = { ...failover, members: ['eno4', 'eno2'], aliases: ALIASES.slice(0, 1) };
        await applyAndKeep(kit, ids[host] ?? '', { action: 'update', spec: swapped, bondName: 'bond1', checkinTimeoutSeconds: 90 });
        const proc = await procBonding(kit, host, 'bond1');
        expect(slaves(proc).sort()).toEqual(['eno2', 'eno4']);
        expect(activeSlave(proc)).toBe('eno4');
        expect(await onBox(kit, host, 'ip -o link show dev eno3')).not.toContain('master');
        expect(await addressesOf(host, 'bond1')).toEqual(['192.0.2.21/24']);
        expect(await openedAs(ids[host] ?? '', 'bond1')).toMatchObject({ members: ['eno4', 'eno2'], aliases: ALIASES.slice(0, 1) });
        expect((await auditFor(kit, ids[host] ?? '', (e) => e.bondName === 'bond1' && e.action === 'update')).result).toBe('confirmed');
      });

      it('the bond on DHCP gets a lease from the switch, is kept, and opens in the editor as DHCP', async () => {
        const onDhcp = { ...failover, members: ['eno4', 'eno2'], aliases: [], dhcp: true, mtu: null };
        await applyAndKeep(kit, ids[host] ?? '', { action: 'update', spec: onDhcp, bondName: 'bond1', checkinTimeoutSeconds: 90 });
        const lease = await eventually('a lease from the lab switch', () => addressesOf(host, 'bond1'), (a) => a.some((x) => /^192\.0\.2\.1\d\d\/24$/.test(x)), 30_000);
        expect(lease.filter((x) => x.startsWith('192.0.2.2'))).toEqual([]);
        expect(await eventually('the switch answers over the lease', () => reaches(host, '192.0.2.254'), (ok) => ok, 20_000)).toBe(true);
        // Read back from the host as the editor opens it: DHCP, the lease not shown as a static alias.
        expect(await openedAs(ids[host] ?? '', 'bond1')).toMatchObject({ dhcp: true, aliases: [], members: ['eno4', 'eno2'] });
        const updates = await eventually('three audited edits', () => auditEntries(kit, ids[host] ?? ''), (es) => es.filter((e) => e.bondName === 'bond1' && e.action === 'update').length >= 3, 60_000);
        expect(updates.filter((e) => e.bondName === 'bond1').map((e) => `${e.action} ${e.result}`)).toEqual(['update confirmed', 'update confirmed', 'update confirmed', 'create confirmed']);
      });

      it("the plan warns when the SSH session's path would change MTU", async () => {
        const mgmt = lab.hosts.find((h) => h.name === host)?.mgmt;
        if (!mgmt) throw new Error('no management NIC');
        const [address = '', prefix = '24'] = mgmt.address.split('/');
        const spec = bondSpec({ name: 'bond2', protocol: 'FAILOVER', members: [mgmt.nic], mtu: 9000, aliases: [{ address, prefix: Number(prefix) }] });
        const { plan, fieldErrors } = await kit.services.bonds.plan({ hostId: ids[host] ?? '', action: 'create', spec, bondName: null, checkinTimeoutSeconds: 90 });
        expect(fieldErrors).toEqual([]);
        expect(plan?.warnings.join('\n')).toContain("The MTU of this SSH session's path changes to 9000");
        // The same bond at the path's own MTU says nothing about it.
        const same = await kit.services.bonds.plan({ hostId: ids[host] ?? '', action: 'create', spec: { ...spec, mtu: null }, bondName: null, checkinTimeoutSeconds: 90 });
        expect(same.plan?.warnings.join('\n')).not.toContain('MTU');
      });
    });
  }
});
