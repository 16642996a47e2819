import type { NetworkStack } from '../../preload/contract/inventory';
import { clip, parseIfaceName } from '../bond/bond-values';
import { parseKeyValueLines } from './discovery-sections';

// Which stack manages the host's network, from the discovery script's `stack` section. The order
// follows who wins at boot: TrueNAS's middleware owns its box; netplan generates the configuration of
// networkd or NetworkManager (a change made beneath it is lost at the next `netplan apply` or boot);
// then a running NetworkManager, a running networkd, and ifupdown only when its configuration and
// its tool are both there and nothing else runs.

const BONDING = new Set<NetworkStack['bonding']>(['loaded', 'builtin', 'loadable', 'missing']);

export function parseStack(content: string | undefined, isTrueNas: boolean): NetworkStack {
  const lines = parseKeyValueLines(content ?? '');
  const first = (key: string): string | null => lines.find(([k]) => k === key)?.[1] ?? null;
  const all = (key: string): string[] => lines.filter(([k]) => k === key).map(([, v]) => v);
  const bondingWord = first('bonding') as NetworkStack['bonding'] | null;
  const bonding = bondingWord !== null && BONDING.has(bondingWord) ? bondingWord : 'unknown';
  const nm = /^running:(.*)$/.exec(first('nm-general') ?? '');
  const managedDevices = all('nm-device')
    .map((l) => /^([^:]+):(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[2] !== 'unmanaged')
    .map((m) => parseIfaceName(m[1]))
    .filter((n): n is string => n !== null)
    .slice(0, 512);
  const base = { version: null, renderer: null, managedDevices: [] as string[], bonding };
  if (content === undefined) return { ...base, manager: isTrueNas ? 'truenas-middleware' : 'unknown' };
  if (isTrueNas) return { ...base, manager: 'truenas-middleware' };
  if (all('netplan-file').length > 0) {
    const renderer = all('netplan-renderer').map((r) => r.trim()).find((r) => r !== '') ?? 'networkd';
    return { ...base, manager: 'netplan', renderer: clip(renderer, 64), managedDevices };
  }
  if (nm) {
    const checkpoints = [...new Set(all('nm-checkpoints').flatMap((l) => [...l.matchAll(/\/org\/freedesktop\/NetworkManager\/Checkpoint\/[0-9]{1,9}\b/g)].map((m) => m[0])))].slice(0, 16);
    const ifupdownHooks = first('nm-ifupdown-hooks') === 'yes';
    return { ...base, manager: 'networkmanager', version: clip((nm[1] ?? '').trim(), 64) || null, managedDevices, checkpoints, ...(ifupdownHooks ? { ifupdownHooks } : {}) };
  }
  if (first('networkd') === 'running') return { ...base, manager: 'systemd-networkd' };
  if (first('ifupdown-config') === 'yes' && first('ifupdown-tool') === 'yes') {
    const dhcpInterfaces = [...new Set(all('ifupdown-dhcp').map((n) => parseIfaceName(n)).filter((n): n is string => n !== null))].slice(0, 512);
    return { ...base, manager: 'ifupdown', dhcpInterfaces };
  }
  return { ...base, manager: 'unknown' };
}
