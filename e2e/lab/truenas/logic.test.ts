// Pure-logic tests of the TrueNAS middleware double, run on this machine with a simulated kernel.
// Each test names the fact-sheet section it pins down (/work/shared/reference/truenas-middleware.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDouble, type LocalDouble } from './local-double.js';
import { parseJson, type InterfaceJson } from './midclt-json.js';

const LACP_BOND = JSON.stringify({
  type: 'LINK_AGGREGATION', lag_protocol: 'LACP', lag_ports: ['eno1', 'eno2'],
  aliases: [{ type: 'INET', address: '192.0.2.10', netmask: 24 }],
});

describe('TrueNAS double, 25.04 (default release)', () => {
  let nas: LocalDouble;
  beforeAll(async () => { nas = await startLocalDouble({ release: '25.04' }); });
  afterAll(async () => { await nas?.stop(); });

  it('prints booleans as True/False, null as JSON, strings raw (§6 Output)', async () => {
    expect((await nas.midclt(['call', 'interface.has_pending_changes'])).stdout).toBe('False\n');
    expect((await nas.midclt(['call', 'interface.checkin_waiting'])).stdout).toBe('null\n');
    expect((await nas.midclt(['call', 'system.version_short'])).stdout).toBe('25.04.2.6\n');
    const protocols = await nas.midclt(['call', 'interface.lag_supported_protocols']);
    expect(protocols.stdout).toBe('["LACP", "FAILOVER", "LOADBALANCE"]\n');
  });

  it('lists a NIC with no DB row with DHCP flags true on a fresh box (§3)', async () => {
    const r = await nas.midclt(['call', 'interface.query', '[["name","=","eno1"]]', '{"get":true}']);
    const nic = parseJson<InterfaceJson>(r.stdout);
    expect(nic).toMatchObject({ id: 'eno1', type: 'PHYSICAL', fake: false, ipv4_dhcp: true, aliases: [], mtu: null });
    expect(nic).not.toHaveProperty('lag_ports');
    expect(nic.state.aliases.at(-1)).toMatchObject({ type: 'LINK' });
  });

  it('rejects unknown keys and bad members with legacy wording, exit 1 (§4)', async () => {
    const r = await nas.midclt(['call', 'interface.create',
      '{"type":"LINK_AGGREGATION","name":"lagg0","lag_protocol":"ROUNDROBIN","lag_ports":["eno9"],"foo":1}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('[EINVAL] interface_create.foo: Field was not expected\n');
    const r2 = await nas.midclt(['call', 'interface.create',
      '{"type":"LINK_AGGREGATION","name":"lagg0","lag_protocol":"ROUNDROBIN","lag_ports":["eno9"]}']);
    expect(r2.stderr.split('\n')).toEqual([
      '[EINVAL] interface_create.name: Link aggregation interface must start with "bond" followed by an unique number.',
      '[EINVAL] interface_create.lag_protocol: TrueNAS SCALE does not support LAG protocol ROUNDROBIN',
      '[EINVAL] interface_create.lag_ports.0: "eno9" is not a valid interface.',
      '',
    ]);
    const r3 = await nas.midclt(['call', 'interface.create', '{"type":"LINK_AGGREGATION","lag_ports":[]}']);
    expect(r3.stderr).toContain('[EINVAL] interface_create.lag_protocol: This field is required\n');
    expect(r3.stderr).toContain('[EINVAL] interface_create.lag_ports: This field cannot be empty.\n');
    const r4 = await nas.midclt(['call', 'interface.create',
      '{"type":"LINK_AGGREGATION","lag_protocol":"LACP","lag_ports":["eno1"],"mtu":"70000"}']);
    expect(r4.stderr).toBe('[EINVAL] interface_create.mtu: Should be between 68 and 9216\n');
  });

  it('prints a CallError as reason, then the server traceback (§4)', async () => {
    const r = await nas.midclt(['call', 'interface.save_default_route', '198.51.100.1']);
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith('[EFAULT] There are no pending interface changes.\nTraceback (most recent call last):\n'))
      .toBe(true);
  });

  it('reports a missing instance as ENOENT on ALL (§1 get_instance)', async () => {
    const r = await nas.midclt(['call', 'interface.get_instance', 'bond9']);
    expect([r.code, r.stderr]).toEqual([1, '[ENOENT] ALL: Interface bond9 does not exist\n']);
  });

  it('suppresses error text with top-level -q but still exits 1 (§6)', async () => {
    const r = await nas.midclt(['-q', 'call', 'interface.get_instance', 'bond9']);
    expect([r.code, r.stderr]).toEqual([1, '']);
  });

  it('treats -j as a flag in 25.04, so -job is a usage error, exit 2 (§6)', async () => {
    const r = await nas.midclt(['call', '-job', 'interface.checkin_waiting']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ignored explicit argument 'ob'");
  });

  it('creates a fake bond, keeps the pre-edit snapshot, and applies query options (§3, §5)', async () => {
    const created = parseJson<InterfaceJson>((await nas.midclt(['call', 'interface.create', LACP_BOND])).stdout);
    expect(created).toMatchObject({
      id: 'bond0', fake: true, lag_protocol: 'LACP', lag_ports: ['eno1', 'eno2'],
      xmit_hash_policy: 'LAYER2+3', lacpdu_rate: 'SLOW',
      state: { cloned: true, mtu: 1500, link_state: '', aliases: [] },
    });
    expect((await nas.midclt(['call', 'interface.has_pending_changes'])).stdout).toBe('True\n');
    const count = await nas.midclt(['call', 'interface.query', '[["type","=","LINK_AGGREGATION"]]', '{"count":true}']);
    expect(count.stdout).toBe('1\n');
    const sel = await nas.midclt(['call', 'interface.query', '[]', '{"select":["name"],"order_by":["-name"]}']);
    expect(parseJson<unknown>(sel.stdout)).toEqual([{ name: 'ens3' }, { name: 'eno4' }, { name: 'eno3' }, { name: 'eno2' },
      { name: 'eno1' }, { name: 'bond0' }]);
    const taken = await nas.midclt(['call', 'interface.create',
      '{"type":"LINK_AGGREGATION","lag_protocol":"FAILOVER","lag_ports":["eno2","eno3"]}']);
    expect(taken.stderr).toBe('[EINVAL] interface_create.lag_ports.0: Interface eno2 is currently in use by bond0.\n');
  });

  it('loses the snapshot when middlewared restarts; the DB keeps the edit (§5.6)', async () => {
    await nas.restart();
    expect((await nas.midclt(['call', 'interface.has_pending_changes'])).stdout).toBe('False\n');
    const bond = parseJson<InterfaceJson>((await nas.midclt(['call', 'interface.get_instance', 'bond0'])).stdout);
    expect(bond.fake).toBe(true);
  });

  it('rolls back the DB to the snapshot on interface.rollback (§5.3)', async () => {
    await nas.midclt(['call', 'interface.update', 'bond0', '{"description":"storage"}']);
    expect((await nas.midclt(['call', 'interface.has_pending_changes'])).stdout).toBe('True\n');
    expect((await nas.midclt(['call', 'interface.rollback'])).stdout).toBe('null\n');
    const after = parseJson<InterfaceJson>((await nas.midclt(['call', 'interface.get_instance', 'bond0'])).stdout);
    expect(after.description).toBe('');
  });

  it('gives the management NIC its own config back when the bond that took it is rolled back (§5.3)', async () => {
    const nas2 = await startLocalDouble({ release: '25.04', seedMgmt: true });
    try {
      const mgmtBond = JSON.stringify({ type: 'LINK_AGGREGATION', lag_protocol: 'FAILOVER', lag_ports: ['ens3', 'eno4'], ipv4_dhcp: true });
      for (const args of [['interface.delete', 'ens3'], ['interface.create', mgmtBond], ['interface.commit', '{"rollback":true,"checkin_timeout":60}']]) {
        const r = await nas2.midclt(['call', ...args]);
        expect(r.code, r.stderr).toBe(0);
      }
      const enslaved = parseJson<InterfaceJson>((await nas2.midclt(['call', 'interface.get_instance', 'ens3'])).stdout);
      expect(enslaved.state.aliases.filter((a) => a.type === 'INET')).toEqual([]);
      expect((await nas2.midclt(['call', 'interface.rollback'])).code).toBe(0);
      const back = parseJson<InterfaceJson>((await nas2.midclt(['call', 'interface.get_instance', 'ens3'])).stdout);
      expect(back.state.aliases.filter((a) => a.type === 'INET').map((a) => a.address)).toEqual(['198.51.100.11']);
      expect(back.state.link_state).toBe('LINK_STATE_UP');
    } finally {
      await nas2.stop();
    }
  });

  it('refuses callers outside builtin_administrators with Not authenticated (§6 Who can call)', async () => {
    const r = await nas.midclt(['call', 'interface.query'], { asNobody: true });
    expect([r.code, r.stderr]).toEqual([1, 'Not authenticated\n']);
  });

  it('offers the default-route pair, not the 25.10 network-config pair (§1)', async () => {
    expect((await nas.midclt(['call', 'interface.default_route_will_be_removed'])).code).toBe(0);
    expect((await nas.midclt(['call', 'interface.network_config_to_be_removed'])).code).toBe(1);
  });
});

describe('TrueNAS double, release differences', () => {
  it('22.12 parses -job as -j ob and accepts a configured NIC as member, wiping it (§6, §4)', async () => {
    const nas = await startLocalDouble({ release: '22.12' });
    try {
      expect((await nas.midclt(['call', '-job', 'interface.has_pending_changes'])).code).toBe(0);
      await nas.midclt(['call', 'interface.update', 'eno1',
        '{"ipv4_dhcp":false,"aliases":[{"address":"203.0.113.5","netmask":24}]}']);
      const r = await nas.midclt(['call', 'interface.create', LACP_BOND]);
      expect(r.code).toBe(0);
      const eno1 = parseJson<InterfaceJson>((await nas.midclt(['call', 'interface.get_instance', 'eno1'])).stdout);
      expect(eno1.aliases).toEqual([]);
      expect(eno1.state).not.toHaveProperty('permanent_link_address');
    } finally {
      await nas.stop();
    }
  });

  it('23.10 rejects a member that has a DB row (§4, 23.10.2+)', async () => {
    const nas = await startLocalDouble({ release: '23.10' });
    try {
      await nas.midclt(['call', 'interface.update', 'eno1', '{"ipv4_dhcp":false}']);
      const r = await nas.midclt(['call', 'interface.create', LACP_BOND]);
      expect(r.stderr).toBe('[EINVAL] interface_create.lag_ports.0: Interface eno1 is currently in use\n');
      const choices = parseJson<Record<string, string>>((await nas.midclt(['call', 'interface.lag_ports_choices'])).stdout);
      expect(Object.keys(choices).sort()).toEqual(['eno2', 'eno3', 'eno4', 'ens3']);
    } finally {
      await nas.stop();
    }
  });

  it('25.10 uses strict schemas with data.<field> errors, call -q, and renamed gateway calls (§2, §6, §1)', async () => {
    const nas = await startLocalDouble({ release: '25.10' });
    try {
      const r = await nas.midclt(['call', 'interface.create',
        '{"type":"LINK_AGGREGATION","lag_protocol":"LACP","lag_ports":["eno1"],"mtu":"9000","foo":1}']);
      expect(r.stderr.split('\n')).toEqual([
        '[EINVAL] data.foo: Extra inputs are not permitted',
        '[EINVAL] data.mtu: Input should be a valid integer',
        '',
      ]);
      const bad = await nas.midclt(['call', 'interface.create', '{"type":"LINK_AGGREGATION","lag_protocol":"LAG"}']);
      expect(bad.stderr).toBe(
        "[EINVAL] data.lag_protocol: Input should be 'LACP', 'FAILOVER', 'LOADBALANCE', 'ROUNDROBIN' or 'NONE'\n");
      expect((await nas.midclt(['call', '-q', 'interface.get_instance', 'bond9'])).stderr).toBe('');
      expect((await nas.midclt(['-q', 'call', 'interface.get_instance', 'bond9'])).code).toBe(2);
      // A fresh box (no rows) with a kernel default route: committing would remove the gateway (§5.8).
      const removed = parseJson<string[]>((await nas.midclt(['call', 'interface.network_config_to_be_removed'])).stdout);
      expect(removed).toContain('ipv4gateway');
      expect((await nas.midclt(['call', 'interface.default_route_will_be_removed'])).code).toBe(1);
      const nic = parseJson<InterfaceJson>((await nas.midclt(['call', 'interface.get_instance', 'eno1'])).stdout);
      expect(nic.lag_ports).toEqual([]);
      expect(nic.state.aliases.some((a) => a.type === 'LINK')).toBe(false);
    } finally {
      await nas.stop();
    }
  });
});
