import type { InterfaceAddress, InterfaceKind, NetInterface } from '../../preload/contract';
import { clip, parseIfaceName, parseMac } from '../bond/bond-values';

// Reads `ip -j -d addr show` and `ip -j route show default` output. Every value is checked for its
// type before use: the JSON comes from a remote box and may be truncated, old-format or hostile.

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

/** Per-interface facts from /sys/class/net that `ip` does not print. */
export interface SysfsNic {
  speedMbps: number | null;
  hasDevice: boolean;
}

export interface ParsedLinks {
  interfaces: NetInterface[];
  warnings: string[];
}

const MAX_INTERFACES = 512;
const MAX_ADDRESSES = 256;

// Kinds an rtnl "info_kind" maps to. Anything else with a kind is a software device (veth, dummy,
// macvlan, tun, wireguard, ...) unless sysfs shows a backing device (e.g. ipoib).
const KIND_MAP: Record<string, InterfaceKind> = { bond: 'bond', vlan: 'vlan', bridge: 'bridge' };

function kindOf(link: Json, sys: SysfsNic | undefined): InterfaceKind {
  const flags = Array.isArray(link['flags']) ? link['flags'] : [];
  if (link['link_type'] === 'loopback' || flags.includes('LOOPBACK')) return 'loopback';
  const info = isObj(link['linkinfo']) ? link['linkinfo'] : null;
  const kind = info === null ? null : str(info['info_kind']);
  if (kind !== null && kind !== '') return KIND_MAP[kind] ?? (sys?.hasDevice === true ? 'physical' : 'virtual');
  // No kind: a real NIC (a bond member's linkinfo only has info_slave_kind).
  if (link['link_type'] === 'ether' || sys?.hasDevice === true) return 'physical';
  return 'other';
}

function carrierOf(link: Json): boolean | null {
  const flags = Array.isArray(link['flags']) ? link['flags'].filter((f): f is string => typeof f === 'string') : [];
  if (flags.includes('LOWER_UP')) return true;
  // Without UP the kernel does not report carrier at all.
  return flags.includes('UP') ? false : null;
}

// `ip` prints "dynamic" for an address with a lifetime (no IFA_F_PERMANENT), as a DHCP client or
// SLAAC adds it; a finite valid_life_time says the same where the flag is not printed.
const FOREVER = 4294967295;
function isDynamic(a: Json): boolean {
  const valid = int(a['valid_life_time']);
  return a['dynamic'] === true || (valid !== null && valid < FOREVER);
}

function addressesOf(link: Json, name: string, warn: (m: string) => void): InterfaceAddress[] {
  const list = Array.isArray(link['addr_info']) ? link['addr_info'] : [];
  const out: InterfaceAddress[] = [];
  for (const a of list) {
    if (!isObj(a)) continue;
    const family = a['family'];
    const address = str(a['local']);
    const prefix = int(a['prefixlen']);
    if ((family !== 'inet' && family !== 'inet6') || address === null || prefix === null) continue;
    if (address.length > 64 || prefix < 0 || prefix > (family === 'inet' ? 32 : 128)) {
      warn(`${name}: address "${clip(address, 64)}/${prefix}" is not valid and was skipped`);
      continue;
    }
    if (out.length >= MAX_ADDRESSES) {
      warn(`${name}: more than ${MAX_ADDRESSES} addresses; the rest are not shown`);
      break;
    }
    out.push({ family, address, prefix, scope: clip(str(a['scope']) ?? '', 32), ...(isDynamic(a) ? { dynamic: true } : {}) });
  }
  return out;
}

export function parseIpAddrJson(json: unknown, sysfs: ReadonlyMap<string, SysfsNic>): ParsedLinks {
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  if (!Array.isArray(json)) return { interfaces: [], warnings: ['The interface list (ip -j addr) is not a JSON list; interfaces are missing.'] };
  const byIndex = new Map<number, string>();
  for (const link of json) {
    if (!isObj(link)) continue;
    const idx = int(link['ifindex']);
    const n = str(link['ifname']);
    if (idx !== null && n !== null) byIndex.set(idx, n);
  }
  const interfaces: NetInterface[] = [];
  for (const link of json) {
    if (!isObj(link)) continue;
    const raw = str(link['ifname']);
    const name = parseIfaceName(raw ?? undefined);
    if (name === null) {
      warn(`An interface with an unusable name ("${clip(String(raw), 40)}") was skipped.`);
      continue;
    }
    if (interfaces.length >= MAX_INTERFACES) {
      warn(`More than ${MAX_INTERFACES} interfaces; the rest are not shown.`);
      break;
    }
    const sys = sysfs.get(name);
    const kind = kindOf(link, sys);
    const parentRaw = kind === 'vlan' ? (str(link['link']) ?? byIndex.get(int(link['link_index']) ?? -1) ?? null) : null;
    const mtu = int(link['mtu']);
    interfaces.push({
      name,
      kind,
      mac: kind === 'loopback' ? null : parseMac(str(link['address']) ?? undefined),
      mtu: mtu !== null && mtu > 0 ? mtu : null,
      operState: clip((str(link['operstate']) ?? 'unknown').toLowerCase(), 32),
      carrier: carrierOf(link),
      speedMbps: sys?.speedMbps ?? null,
      master: parseIfaceName(str(link['master']) ?? undefined),
      vlanParent: parseIfaceName(parentRaw ?? undefined),
      addresses: addressesOf(link, name, warn),
      isManagement: false,
      description: (() => {
        const alias = str(link['ifalias']);
        return alias === null || alias === '' ? null : clip(alias, 200);
      })(),
    });
  }
  return { interfaces, warnings };
}

export interface DefaultRoute {
  family: 'inet' | 'inet6';
  gateway: string;
  dev: string;
}

/** Default routes with a gateway; multipath routes give one entry per next hop. */
export function parseDefaultRoutes(json: unknown, family: 'inet' | 'inet6'): { routes: DefaultRoute[]; warnings: string[] } {
  if (!Array.isArray(json)) return { routes: [], warnings: [`The ${family === 'inet' ? 'IPv4' : 'IPv6'} default route list is not readable.`] };
  const routes: DefaultRoute[] = [];
  const push = (gw: unknown, dev: unknown): void => {
    const gateway = str(gw);
    const d = parseIfaceName(str(dev) ?? undefined);
    if (gateway !== null && gateway.length <= 64 && d !== null) routes.push({ family, gateway, dev: d });
  };
  for (const r of json) {
    if (!isObj(r)) continue;
    if (r['dst'] !== 'default' && r['dst'] !== '0.0.0.0/0' && r['dst'] !== '::/0') continue;
    if (Array.isArray(r['nexthops'])) for (const h of r['nexthops']) if (isObj(h)) push(h['gateway'], h['dev']);
    if (r['gateway'] !== undefined) push(r['gateway'], r['dev']);
  }
  return { routes, warnings: [] };
}
