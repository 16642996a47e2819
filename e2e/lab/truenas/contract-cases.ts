// Contract tests of the TrueNAS middleware double inside a truenas-flavored lab guest: the facts a
// real box shows and Bondsmith can observe (fact sheet §3-§6), checked against the real guest kernel.
// `contract.test.ts` wires these to the lab; nothing here knows how the guest is reached.
import { expect, it } from 'vitest';
import { parseJson, type InterfaceJson } from './midclt-json.js';

export interface GuestExec {
  /** Runs a /bin/sh command line in the guest as `user` (default root). */
  readonly exec: (cmd: string, user?: 'root' | 'admin') => Promise<{ stdout: string; stderr: string; code: number }>;
}

const q = (json: unknown): string => `'${JSON.stringify(json).replace(/'/g, `'\\''`)}'`;
const LACP = {
  type: 'LINK_AGGREGATION', name: 'bond0', lag_protocol: 'LACP', lag_ports: ['eno1', 'eno2'],
  lacpdu_rate: 'FAST', aliases: [{ type: 'INET', address: '192.0.2.10', netmask: 24 }],
};

async function until(what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function defineContractTests(guest: () => GuestExec): void {
  const sh = (cmd: string, user?: 'root' | 'admin') => guest().exec(cmd, user);
  const bondGone = async () => (await sh('test -e /proc/net/bonding/bond0')).code !== 0;

  it('is recognisable as TrueNAS: /etc/version and midclt on PATH for root and admin (§6)', async () => {
    const v = await sh('cat /etc/version; echo; midclt call system.version_short');
    const [etc, short] = v.stdout.split('\n');
    expect(etc).toBe(short);
    const admin = await sh('command -v midclt && midclt call interface.has_pending_changes', 'admin');
    expect(admin.code).toBe(0);
    expect(admin.stdout).toMatch(/midclt\nFalse\n$/);
  });

  it('lists the seeded management NIC with its DB alias and kernel state (§3)', async () => {
    const r = await sh(`midclt call interface.query ${q([['name', '=', 'ens3']])} ${q({ get: true })}`);
    const ens3 = parseJson<InterfaceJson>(r.stdout);
    expect(ens3).toMatchObject({ type: 'PHYSICAL', fake: false, ipv4_dhcp: false });
    expect(ens3.aliases).toHaveLength(1);
    expect(ens3.state.aliases.some((a) => a.type === 'INET' && a.address === ens3.aliases[0]?.address)).toBe(true);
    // link_state is LINK_STATE_ + the kernel's operstate; the lab's UML vector NIC reports "unknown"
    // (it has no carrier to lose), which the double passes through as a real box would.
    expect(['LINK_STATE_UP', 'LINK_STATE_UNKNOWN']).toContain(ens3.state['link_state']);
  });

  it('commits a bond to the kernel, arms the timer, and rolls back when nobody checks in (§5.2, §5.3)', async () => {
    const created = await sh(`midclt call interface.create ${q(LACP)}`);
    expect(parseJson<InterfaceJson>(created.stdout).fake).toBe(true);
    expect(await bondGone()).toBe(true);
    expect((await sh(`midclt call interface.commit ${q({ checkin_timeout: 10 })}`)).stdout).toBe('null\n');
    const waiting = Number((await sh('midclt call interface.checkin_waiting')).stdout);
    expect(waiting).toBeGreaterThan(0);
    expect(waiting).toBeLessThanOrEqual(10);
    const bond = parseJson<InterfaceJson>((await sh('midclt call interface.get_instance bond0')).stdout);
    expect(bond).toMatchObject({ fake: false, lag_protocol: 'LACP', xmit_hash_policy: 'LAYER2+3', lacpdu_rate: 'FAST' });
    expect(bond.state).toMatchObject({ protocol: 'LACP', xmit_hash_policy: 'layer2+3', lacpdu_rate: 'fast' });
    expect(bond.state.ports).toEqual([{ name: 'eno1', flags: [] }, { name: 'eno2', flags: [] }]);
    expect((await sh('grep -c "^Slave Interface" /proc/net/bonding/bond0')).stdout).toBe('2\n');
    expect((await sh('midclt call interface.has_pending_changes')).stdout).toBe('True\n');
    await until('the rollback to remove bond0', 30_000, bondGone);
    expect((await sh('midclt call interface.has_pending_changes; midclt call interface.checkin_waiting')).stdout)
      .toBe('False\nnull\n');
    expect((await sh('midclt call interface.query \'[["name","=","bond0"]]\' \'{"count":true}\'')).stdout).toBe('0\n');
  });

  it('keeps a checked-in bond, which negotiates LACP with the lab switch (§5.4)', async () => {
    await sh(`midclt call interface.create ${q(LACP)}`);
    await sh(`midclt call interface.commit ${q({ checkin_timeout: 10 })}`);
    expect((await sh('midclt call interface.checkin')).stdout).toBe('null\n');
    expect((await sh('midclt call interface.checkin_waiting; midclt call interface.has_pending_changes')).stdout)
      .toBe('null\nFalse\n');
    await until('LACP partner and port state 63 on both ports', 60_000, async () => {
      const p = (await sh('cat /proc/net/bonding/bond0')).stdout;
      const partner = /Partner Mac Address: ([0-9a-f:]+)/.exec(p)?.[1];
      const actorStates = [...p.matchAll(/details actor lacp pdu:[\s\S]*?port state: (\d+)/g)].map((m) => m[1]);
      return partner !== undefined && partner !== '00:00:00:00:00:00' && actorStates.length === 2 &&
        actorStates.every((s) => s === '63');
    });
  });

  it('loses the pending snapshot when middlewared restarts, keeping the DB edit (§5.6)', async () => {
    await sh(`midclt call interface.update bond0 ${q({ description: 'storage' })}`);
    expect((await sh('midclt call interface.has_pending_changes')).stdout).toBe('True\n');
    const restart = await sh('restart-middlewared || "$(dirname "$(readlink -f "$(command -v midclt)")")/restart-middlewared"');
    expect(restart.code).toBe(0);
    expect((await sh('midclt call interface.has_pending_changes')).stdout).toBe('False\n');
    const bond = parseJson<InterfaceJson>((await sh('midclt call interface.get_instance bond0')).stdout);
    expect(bond.description).toBe('storage');
  });

  it('hides a bond whose deletion is pending, and destroys it on commit (§3, §1 delete)', async () => {
    expect((await sh('midclt call interface.delete bond0')).stdout).toBe('bond0\n');
    expect((await sh('midclt call interface.query \'[["name","=","bond0"]]\' \'{"count":true}\'')).stdout).toBe('0\n');
    expect(await bondGone()).toBe(false);
    await sh(`midclt call interface.commit ${q({ rollback: false })}`);
    expect(await bondGone()).toBe(true);
    expect((await sh('midclt call interface.has_pending_changes')).stdout).toBe('False\n');
  });

  it('answers errors on stderr with exit 1, and -q silences them (§4, §6)', async () => {
    const r = await sh('midclt call interface.get_instance bond9');
    expect([r.code, r.stderr]).toEqual([1, '[ENOENT] ALL: Interface bond9 does not exist\n']);
    const version = (await sh('midclt call system.version_short')).stdout.trim();
    const quietFirst = Number(version.split('.')[0]) > 25 || version.startsWith('25.10');  // -q moved under call
    const quiet = await sh(quietFirst ? 'midclt call -q interface.get_instance bond9' : 'midclt -q call interface.get_instance bond9');
    expect([quiet.code, quiet.stderr.includes('[ENOENT]')]).toEqual([1, false]);
    const used = await sh(`midclt call interface.create ${q({ ...LACP, lag_ports: ['ens3'] })}`);
    expect(used.stderr).toMatch(/^\[EINVAL\] interface_create\.lag_ports\.0: Interface ens3 is currently in use/m);
  });
}
