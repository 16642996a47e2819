import { describe, expect, it } from 'vitest';
import { mapMiddlewareError, mapMiddlewareField } from './middleware-errors';

// Samples in the wording of reference/truenas-middleware.md §4 (legacy 22.12-25.04 and 25.10 pydantic).

describe('mapMiddlewareError', () => {
  it('maps legacy create errors to editor fields, one per line', () => {
    const stderr = [
      '[EINVAL] interface_create.lag_ports.0: Interface enp1s0 is currently in use',
      '[EINVAL] interface_create.lag_ports.1: "enpX" is not a valid interface.',
      '[EINVAL] interface_create.aliases.1: The network 192.168.1.0/24 is already in use by another interface.',
      '[EINVAL] interface_create.name: Interface name is already in use.',
      '[EINVAL] interface_create.mtu: Should be between 68 and 9216',
      '[EINVAL] interface_create.lag_protocol: TrueNAS SCALE does not support LAG protocol ROUNDROBIN',
      '[EINVAL] interface_create.description: Field was not expected',
    ].join('\n');
    expect(mapMiddlewareError(stderr, 'create')).toEqual([
      { field: 'members.0', message: expect.stringMatching(/^Interface enp1s0 is currently in use \(TrueNAS refuses ports that have their own configuration/) as unknown },
      { field: 'members.1', message: '"enpX" is not a valid interface.' },
      { field: 'aliases.1.address', message: 'The network 192.168.1.0/24 is already in use by another interface.' },
      { field: 'name', message: 'Interface name is already in use.' },
      { field: 'mtu', message: 'Should be between 68 and 9216' },
      { field: 'protocol', message: 'TrueNAS SCALE does not support LAG protocol ROUNDROBIN' },
      { field: 'description', message: 'Field was not expected' },
    ]);
  });

  it('maps update errors and 25.10 "data." schema errors', () => {
    expect(mapMiddlewareError('[EINVAL] interface_update.xmit_hash_policy: Invalid choice: LAYER5', 'update')).toEqual([{ field: 'xmitHashPolicy', message: 'Invalid choice: LAYER5' }]);
    expect(mapMiddlewareError("[EINVAL] data.lag_protocol: Input should be 'LACP', 'FAILOVER' or 'LOADBALANCE'", 'create')).toEqual([
      { field: 'protocol', message: "Input should be 'LACP', 'FAILOVER' or 'LOADBALANCE'" },
    ]);
    expect(mapMiddlewareError('[EINVAL] data.lacpdu_rate: Input should be a valid string', 'update')).toEqual([{ field: 'lacpduRate', message: 'Input should be a valid string' }]);
    expect(mapMiddlewareError('[EINVAL] data.aliases.0.netmask: Input should be a valid integer', 'create')).toEqual([{ field: 'aliases.0.prefix', message: 'Input should be a valid integer' }]);
  });

  it('ENOENT ALL names the bond on update/delete', () => {
    expect(mapMiddlewareError('[ENOENT] ALL: Interface bond9 does not exist', 'delete')).toEqual([{ field: 'name', message: 'Interface bond9 does not exist' }]);
  });

  it('keeps only the first line of a CallError and drops the Python traceback', () => {
    const stderr = [
      '[EFAULT] There are no pending interface changes.',
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/middlewared/main.py", line 211, in call_method',
      '    result = await self.middleware.call_with_audit(message[\'method\'], serviceobj, methodobj, params, self)',
      "middlewared.service_exception.CallError: [EFAULT] There are no pending interface changes.",
    ].join('\n');
    expect(mapMiddlewareError(stderr, 'create')).toEqual([{ field: 'host', message: 'There are no pending interface changes.' }]);
  });

  it('unknown attributes and client failures land on the host field', () => {
    expect(mapMiddlewareError('[EINVAL] interface_create.failover_vhid: bad', 'create')).toEqual([{ field: 'host', message: 'interface_create.failover_vhid: bad' }]);
    expect(mapMiddlewareError('Failed to run middleware call. Daemon not running?\n', 'create')).toEqual([{ field: 'host', message: 'Failed to run middleware call. Daemon not running?' }]);
    expect(mapMiddlewareError('', 'create')).toEqual([{ field: 'host', message: 'midclt failed without printing a reason' }]);
  });

  it('mapMiddlewareField strips every known schema prefix', () => {
    expect(mapMiddlewareField('interface_update.lag_ports.3')).toBe('members.3');
    expect(mapMiddlewareField('interface_update.data.lag_ports')).toBe('members');
    expect(mapMiddlewareField('ipv4_dhcp')).toBe('dhcp');
    expect(mapMiddlewareField('stp')).toBeNull();
  });
});
