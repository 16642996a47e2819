import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostFactsSchema, type HostFacts } from '../../preload/contract';
import { parseDiscovery } from './parse-discovery';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string): string => readFileSync(dir + name, 'utf8');
const opts = { collectedAt: '2025-06-01T12:00:00.000Z' };

function facts(text: string): HostFacts {
  const r = parseDiscovery(text, opts);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return hostFactsSchema.parse(r.value);
}

describe('parseDiscovery: Debian host with the management address on an LACP bond', () => {
  const f = facts(fixture('linux-lacp-mgmt-on-bond.txt'));

  it('reads the host and OS', () => {
    expect(f.hostname).toBe('nas-lab-1');
    expect(f.os).toEqual({ kind: 'linux', pretty: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64', truenasVersion: null });
    expect(f.collectedAt).toBe(opts.collectedAt);
    expect(f.warnings).toEqual([]);
  });

  it('classifies every interface kind', () => {
    const kinds = Object.fromEntries(f.interfaces.map((i) => [i.name, i.kind]));
    expect(kinds).toEqual({
      lo: 'loopback', enp1s0: 'physical', enp2s0: 'physical', enp3s0: 'physical', bond0: 'bond', 'bond0.20': 'vlan',
      br0: 'bridge', veth1a2b3c: 'virtual', wg0: 'virtual',
    });
  });

  it('reads link facts: MAC, MTU, carrier, speed, master, VLAN parent, addresses, alias', () => {
    const by = new Map(f.interfaces.map((i) => [i.name, i]));
    expect(by.get('enp1s0')).toMatchObject({ mac: '52:54:00:8a:10:01', mtu: 9000, operState: 'up', carrier: true, speedMbps: 1000, master: 'bond0' });
    expect(by.get('enp3s0')).toMatchObject({ carrier: false, operState: 'down', speedMbps: null, master: null });
    expect(by.get('bond0.20')?.vlanParent).toBe('bond0');
    expect(by.get('lo')?.mac).toBeNull();
    expect(by.get('wg0')?.mac).toBeNull();
    expect(by.get('br0')?.speedMbps).toBeNull();
    expect(by.get('bond0')?.description).toBe('storage uplink');
    expect(by.get('bond0')?.addresses).toEqual([
      { family: 'inet', address: '192.0.2.10', prefix: 24, scope: 'global' },
      { family: 'inet6', address: '2001:db8:10::10', prefix: 64, scope: 'global' },
      { family: 'inet6', address: 'fe80::5054:ff:fe8a:1001', prefix: 64, scope: 'link' },
    ]);
  });

  it('finds the management path: the bond and the ports under it', () => {
    expect(f.management).toEqual({ nic: 'bond0', address: '192.0.2.10', clientAddress: '203.0.113.50' });
    expect(f.interfaces.filter((i) => i.isManagement).map((i) => i.name).sort()).toEqual(['bond0', 'enp1s0', 'enp2s0']);
  });

  it('reads both default routes', () => {
    expect(f.defaultRoutes).toEqual([
      { family: 'inet', gateway: '192.0.2.1', dev: 'bond0' },
      { family: 'inet6', gateway: 'fe80::1', dev: 'bond0' },
    ]);
  });

  it('reads the bond from /proc and sysfs, with its diagnosis', () => {
    expect(f.bonds).toHaveLength(1);
    const b = f.bonds[0];
    expect(b).toMatchObject({ name: 'bond0', mode: '802.3ad', protocol: 'LACP', lacpduRate: 'FAST', xmitHashPolicy: 'layer3+4', miimonMs: 100 });
    expect(b?.members.map((m) => m.name)).toEqual(['enp1s0', 'enp2s0']);
    expect(b?.diagnosis.map((d) => d.code)).toEqual(['lacp-ok']);
  });
});

describe('parseDiscovery: TrueNAS with a pending change, as a non-root admin', () => {
  const f = facts(fixture('truenas-failover-pending.txt'));

  it('recognises TrueNAS and its version', () => {
    expect(f.os).toMatchObject({ kind: 'truenas', pretty: 'TrueNAS 24.10.2.4', truenasVersion: '24.10.2.4' });
  });

  it('reads the middleware view, pending change and countdown', () => {
    expect(f.middleware?.version).toBe('24.10.2.4');
    expect(f.middleware?.pendingChanges).toBe(true);
    expect(f.middleware?.checkinWaitingSeconds).toBe(42);
    const bond1 = f.middleware?.interfaces.find((i) => i.id === 'bond1');
    expect(bond1).toEqual({ id: 'bond1', type: 'LINK_AGGREGATION', fake: false, lagProtocol: 'FAILOVER', lagPorts: ['enp3s0', 'enp4s0'], aliases: ['10.10.10.21/24'], description: 'backup network été "quoted"', ipv4Dhcp: false });
    expect(f.middleware?.interfaces.find((i) => i.id === 'bond2')).toMatchObject({ fake: true, lagProtocol: 'LACP' });
    expect(f.middleware?.interfaces.find((i) => i.id === 'enp5s0')).toMatchObject({ lagProtocol: null, lagPorts: [], aliases: ['192.168.1.20/24'] });
  });

  it('takes descriptions from the middleware and marks the management NIC', () => {
    expect(f.interfaces.find((i) => i.name === 'enp5s0')?.description).toBe('management');
    expect(f.management.nic).toBe('enp5s0');
    expect(f.interfaces.filter((i) => i.isManagement).map((i) => i.name)).toEqual(['enp5s0']);
  });

  it("calls a port what the middleware calls it: a veth it lists as PHYSICAL is physical, one it does not list stays virtual", () => {
    // As the lab's ports look: veths with no backing device in sysfs (both are bond ports, with linkinfo).
    const veth = (text: string, name: string): string =>
      text.replace(`${name} device 1\n`, '').replace(new RegExp(`("ifname":"${name}",[^{}]*?"linkinfo":\\{)`), '$1"info_kind":"veth",');
    const unlisted = (text: string, name: string): string => text.replace(`"id":"${name}","name":"${name}"`, '"id":"enp9s0","name":"enp9s0"');
    const g = facts(unlisted(veth(veth(fixture('truenas-failover-pending.txt'), 'enp3s0'), 'enp4s0'), 'enp4s0'));
    const kinds = Object.fromEntries(g.interfaces.map((i) => [i.name, i.kind]));
    expect(kinds).toMatchObject({ enp3s0: 'physical', enp4s0: 'virtual', enp5s0: 'physical', bond1: 'bond' });
  });

  it('warns that the FAILOVER bond has no link monitoring', () => {
    const b = f.bonds.find((x) => x.name === 'bond1');
    expect(b?.protocol).toBe('FAILOVER');
    expect(b?.xmitHashPolicy).toBeNull();
    expect(b?.diagnosis.map((d) => d.code)).toEqual(['no-link-monitoring']);
  });
});

describe('parseDiscovery: hostile and broken output', () => {
  it('keeps the inventory when the middleware refuses the calls', () => {
    const f = facts(fixture('truenas-readonly-admin.txt'));
    expect(f.os.kind).toBe('truenas');
    expect(f.os.truenasVersion).toBe('25.04.2.6');
    expect(f.middleware).toBeNull();
    expect(f.warnings.join('\n')).toMatch(/interface\.query failed: \[EACCES\] Not authorized/);
    expect(f.interfaces.length).toBe(3);
  });

  it('returns typed errors when nothing is usable', () => {
    expect(parseDiscovery('', opts)).toMatchObject({ ok: false, error: { code: 'DISCOVERY_NO_OUTPUT' } });
    expect(parseDiscovery('This account is currently not available.\n', opts)).toMatchObject({ ok: false, error: { code: 'DISCOVERY_UNRECOGNISED' } });
    expect(parseDiscovery('#BONDSMITH 7 BEGIN meta\n', opts)).toMatchObject({ ok: false, error: { code: 'DISCOVERY_NOTHING_USABLE' } });
  });

  it('reports a garbled interface list and still reads the rest', () => {
    const text = fixture('linux-lacp-mgmt-on-bond.txt').replace(/(BEGIN ip-addr\n)\[/, '$1Option "-j" is unknown, try "ip -help".\n{garbage');
    const f = facts(text);
    expect(f.interfaces).toEqual([]);
    expect(f.warnings[0]).toMatch(/Could not read the interface list/);
    expect(f.bonds[0]?.name).toBe('bond0');
    expect(f.hostname).toBe('nas-lab-1');
  });

  it('ignores look-alike markers with another PID inside content', () => {
    const text = fixture('linux-lacp-mgmt-on-bond.txt').replace('NAME="Debian GNU/Linux"', '#BONDSMITH 1 END os-release rc=0\n#BONDSMITH 1 BEGIN meta\nhostname=evil');
    const f = facts(text);
    expect(f.hostname).toBe('nas-lab-1');
  });

  it('says when output stopped early, at every cut point, and never throws', () => {
    for (const file of ['linux-lacp-mgmt-on-bond.txt', 'truenas-failover-pending.txt']) {
      const full = fixture(file);
      for (let cut = 0; cut < full.length; cut += 97) {
        const r = parseDiscovery(full.slice(0, cut), opts);
        if (r.ok) {
          expect(() => hostFactsSchema.parse(r.value)).not.toThrow();
          expect(r.value.warnings.some((w) => w.includes('ended early'))).toBe(true);
        } else {
          expect(r.error.code).toMatch(/^DISCOVERY_(NO_OUTPUT|UNRECOGNISED|NOTHING_USABLE)$/);
        }
      }
    }
  });

  it('drops bad values from hostile JSON without failing', () => {
    const evil = JSON.stringify([
      { ifindex: 1, ifname: 'ok0', flags: ['UP', 'LOWER_UP'], mtu: 'x', operstate: 7, link_type: 'ether', address: 'nope', addr_info: [{ family: 'inet', local: '1.2.3.4', prefixlen: 99 }, 'junk'] },
      { ifindex: 2, ifname: 'a/b' },
      { ifindex: 3, ifname: 'waytoolonginterfacename' },
      null,
      42,
    ]);
    const text = `#BONDSMITH 9 BEGIN meta\nhostname=h\n#BONDSMITH 9 END meta rc=0\n#BONDSMITH 9 BEGIN ip-addr\n${evil}\n#BONDSMITH 9 END ip-addr rc=0\n#BONDSMITH 9 BEGIN sysfs-net\nok0 speed 4294967295\nzz bond.mode nonsense\n#BONDSMITH 9 END sysfs-net rc=0\n#BONDSMITH 9 BEGIN proc-bonding bond7\ngarbage\n#BONDSMITH 9 END proc-bonding bond7 rc=0\n#BONDSMITH 9 DONE\n`;
    const f = facts(text);
    expect(f.interfaces).toHaveLength(1);
    expect(f.interfaces[0]).toMatchObject({ name: 'ok0', mtu: null, operState: 'unknown', mac: null, speedMbps: null, addresses: [] });
    expect(f.warnings.length).toBeGreaterThanOrEqual(3);
    expect(f.bonds).toEqual([]);
  });

  it('builds a bond from sysfs when its /proc file is missing', () => {
    const text = fixture('linux-lacp-mgmt-on-bond.txt').replace(/#BONDSMITH 4242 BEGIN proc-bonding bond0[\s\S]*?END proc-bonding bond0 rc=0\n/, '');
    const f = facts(text);
    expect(f.bonds[0]).toMatchObject({ name: 'bond0', mode: '802.3ad', miimonMs: 100, lacpduRate: 'FAST', xmitHashPolicy: 'layer3+4' });
    expect(f.bonds[0]?.members.map((m) => m.name)).toEqual(['enp1s0', 'enp2s0']);
    expect(f.warnings.join()).toMatch(/not readable/);
  });
});

describe('pending Bondsmith runs on a Linux host', () => {
  it('reports each armed run with the seconds its rollback timer has left', () => {
    const runs = ['#BONDSMITH 4242 BEGIN bondsmith-runs', 'now 1000', 'run create-abc123 970 60', 'run bad/../id 970 60', 'run update-x 990 ', '', '#BONDSMITH 4242 END bondsmith-runs rc=0'].join('\n');
    const text = fixture('linux-lacp-mgmt-on-bond.txt').replace('#BONDSMITH 4242 DONE', `${runs}\n#BONDSMITH 4242 DONE`);
    expect(facts(text).pendingRuns).toEqual([
      { runId: 'create-abc123', secondsLeft: 30 },
      { runId: 'update-x', secondsLeft: null },
    ]);
  });

  it('has none when the section is absent', () => {
    expect(facts(fixture('linux-lacp-mgmt-on-bond.txt')).pendingRuns).toEqual([]);
  });
});
