import { describe, expect, it } from 'vitest';
import { parseIpAddrJson } from './parse-ip';

// Which addresses a client put there: a DHCP lease (dhclient-script adds it with valid_lft, so `ip`
// prints "dynamic" and a finite lifetime) versus a configured one (valid forever).

const link = (addr_info: unknown[]): unknown[] => [{ ifindex: 5, ifname: 'bond0', flags: ['UP', 'LOWER_UP'], mtu: 1500, link_type: 'ether', address: '52:54:00:01:00:01', linkinfo: { info_kind: 'bond' }, addr_info }];

describe('parseIpAddrJson: dynamic addresses', () => {
  it('marks a lease dynamic, by its flag or by its finite lifetime, and a configured address not', () => {
    const { interfaces } = parseIpAddrJson(
      link([
        { family: 'inet', local: '192.0.2.150', prefixlen: 24, scope: 'global', dynamic: true, valid_life_time: 3599, preferred_life_time: 3599 },
        { family: 'inet', local: '192.0.2.151', prefixlen: 24, scope: 'global', valid_life_time: 600, preferred_life_time: 600 },
        { family: 'inet', local: '203.0.113.5', prefixlen: 24, scope: 'global', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
        { family: 'inet6', local: '2001:db8::5', prefixlen: 64, scope: 'global', dynamic: 'yes' },
      ]),
      new Map(),
    );
    expect(interfaces[0]?.addresses).toEqual([
      { family: 'inet', address: '192.0.2.150', prefix: 24, scope: 'global', dynamic: true },
      { family: 'inet', address: '192.0.2.151', prefix: 24, scope: 'global', dynamic: true },
      { family: 'inet', address: '203.0.113.5', prefix: 24, scope: 'global' },
      { family: 'inet6', address: '2001:db8::5', prefix: 64, scope: 'global' },
    ]);
  });
});
