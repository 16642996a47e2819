import { describe, expect, it } from 'vitest';
import { parseStack } from './parse-stack';

// What the discovery script's `stack` section prints on each kind of host, and who is in charge.

const lines = (...l: string[]): string => l.join('\n');

describe('parseStack', () => {
  it('a Debian box with ifupdown and bonding loaded', () => {
    expect(parseStack(lines('bonding=loaded', 'ifupdown-config=yes', 'ifupdown-tool=yes'), false)).toEqual({
      manager: 'ifupdown',
      version: null,
      renderer: null,
      managedDevices: [],
      bonding: 'loaded',
      dhcpInterfaces: [],
    });
  });

  it('ifupdown: the interfaces its configuration puts on DHCP, each once, bad names dropped', () => {
    const s = parseStack(lines('bonding=loaded', 'ifupdown-config=yes', 'ifupdown-tool=yes', 'ifupdown-dhcp=bond0', 'ifupdown-dhcp=eno4', 'ifupdown-dhcp=bond0', 'ifupdown-dhcp=no such/name'), false);
    expect(s.dhcpInterfaces).toEqual(['bond0', 'eno4']);
  });

  it('ifupdown needs both its configuration and its tool', () => {
    expect(parseStack(lines('bonding=loaded', 'ifupdown-config=yes'), false).manager).toBe('unknown');
    expect(parseStack(lines('bonding=loaded', 'ifupdown-tool=yes'), false).manager).toBe('unknown');
  });

  it('a Rocky box run by NetworkManager: its version and the devices it manages', () => {
    const s = parseStack(lines('bonding=loadable', 'nm-general=running:1.46.0', 'nm-device=eno1:connected', 'nm-device=eno2:disconnected', 'nm-device=lo:unmanaged', 'ifupdown-tool=yes'), false);
    expect(s).toEqual({ manager: 'networkmanager', version: '1.46.0', renderer: null, managedDevices: ['eno1', 'eno2'], bonding: 'loadable', checkpoints: [] });
  });

  it("NetworkManager's armed checkpoints, from busctl's reply; anything else in it is ignored", () => {
    const s = parseStack(lines('bonding=loaded', 'nm-general=running:1.42.4', 'nm-checkpoints=ao 2 "/org/freedesktop/NetworkManager/Checkpoint/3" "/org/freedesktop/NetworkManager/Checkpoint/12;x"'), false);
    expect(s.checkpoints).toEqual(['/org/freedesktop/NetworkManager/Checkpoint/3', '/org/freedesktop/NetworkManager/Checkpoint/12']);
    expect(parseStack(lines('nm-general=running:1.42.4', 'nm-checkpoints=ao 0'), false).checkpoints).toEqual([]);
  });

  it("a Debian box whose NetworkManager runs ifupdown's hooks with ifenslave installed", () => {
    expect(parseStack(lines('nm-general=running:1.42.4', 'nm-ifupdown-hooks=yes'), false).ifupdownHooks).toBe(true);
    expect(parseStack(lines('nm-general=running:1.42.4'), false).ifupdownHooks).toBeUndefined();
  });

  it('an Ubuntu box with netplan wins over the NetworkManager it renders to', () => {
    const s = parseStack(lines('bonding=builtin', 'netplan-file=/etc/netplan/01-netcfg.yaml', 'netplan-renderer= NetworkManager', 'nm-general=running:1.36.6', 'ifupdown-config=yes'), false);
    expect(s.manager).toBe('netplan');
    expect(s.renderer).toBe('NetworkManager');
    expect(s.bonding).toBe('builtin');
  });

  it('netplan without a renderer line renders to networkd', () => {
    expect(parseStack(lines('bonding=loaded', 'netplan-file=/etc/netplan/50-cloud-init.yaml', 'networkd=running'), false)).toMatchObject({ manager: 'netplan', renderer: 'networkd' });
  });

  it('systemd-networkd on its own', () => {
    expect(parseStack(lines('bonding=loaded', 'networkd=running', 'ifupdown-tool=yes'), false).manager).toBe('systemd-networkd');
  });

  it('a kernel without bonding says so; a TrueNAS box is the middleware whatever else is found', () => {
    expect(parseStack(lines('bonding=missing', 'ifupdown-config=yes', 'ifupdown-tool=yes'), false).bonding).toBe('missing');
    expect(parseStack(lines('bonding=loaded', 'nm-general=running:1.42.4'), true).manager).toBe('truenas-middleware');
  });

  it('an older host without the section (or hostile text) is unknown, never a guess', () => {
    expect(parseStack(undefined, false)).toMatchObject({ manager: 'unknown', bonding: 'unknown' });
    expect(parseStack(undefined, true).manager).toBe('truenas-middleware');
    const hostile = parseStack(lines('bonding=; rm -rf /', 'nm-device=../../etc:connected', `nm-general=running:${'9'.repeat(500)}`, 'x'.repeat(10_000)), false);
    expect(hostile.bonding).toBe('unknown');
    expect(hostile.managedDevices).toEqual([]);
    expect(hostile.version?.length).toBeLessThanOrEqual(64);
  });
});
