import type { BondMode, BondStatus } from '../../preload/contract';

// Small value readers shared by the /proc/net/bonding parser and the sysfs merge in discovery.
// Each returns null for anything it does not recognise, so hostile or truncated input never throws.

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
// Mirrors the contract's ifaceNameSchema, so a name accepted here always passes it.
const IFACE_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;

export function parseMac(text: string | undefined): string | null {
  if (text === undefined) return null;
  const mac = text.trim().toLowerCase();
  return MAC_RE.test(mac) ? mac : null;
}

export function isZeroMac(mac: string | null): boolean {
  return mac === '00:00:00:00:00:00';
}

export function parseIfaceName(text: string | undefined): string | null {
  if (text === undefined) return null;
  const name = text.trim();
  return IFACE_RE.test(name) && name !== '.' && name !== '..' ? name : null;
}

/** A non-negative decimal integer at the start of the text ("100", "1000 Mbps", "2 (layer2+3)"). */
export function parseLeadingInt(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^\s*(-?\d{1,10})\b/.exec(text);
  if (!m || m[1] === undefined) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Bonding mode from either the procfs wording ("IEEE 802.3ad Dynamic link aggregation") or the sysfs
 * word ("802.3ad 4"). The procfs names come from bond_mode_name() in drivers/net/bonding/bond_main.c
 * and have not changed between 3.x and 6.x.
 */
export function parseBondMode(text: string | undefined): BondMode | null {
  if (text === undefined) return null;
  const t = text.trim().toLowerCase();
  const word = t.split(/\s+/)[0] ?? '';
  const sysfsWords: Record<string, BondMode> = {
    'balance-rr': 'balance-rr',
    'active-backup': 'active-backup',
    'balance-xor': 'balance-xor',
    broadcast: 'broadcast',
    '802.3ad': '802.3ad',
    'balance-tlb': 'balance-tlb',
    'balance-alb': 'balance-alb',
  };
  const direct = sysfsWords[word];
  if (direct !== undefined) return direct;
  if (t.includes('round-robin')) return 'balance-rr';
  if (t.includes('active-backup')) return 'active-backup';
  if (t.includes('(xor)')) return 'balance-xor';
  if (t.includes('(broadcast)')) return 'broadcast';
  if (t.includes('802.3ad')) return '802.3ad';
  if (t.includes('transmit load balancing')) return 'balance-tlb';
  if (t.includes('adaptive load balancing')) return 'balance-alb';
  return null;
}

/** The product's protocol name for a kernel mode (DESIGN.md: LACP, FAILOVER, LOADBALANCE). */
export function protocolForMode(mode: BondMode): BondStatus['protocol'] {
  switch (mode) {
    case '802.3ad':
      return 'LACP';
    case 'active-backup':
      return 'FAILOVER';
    case 'balance-xor':
      return 'LOADBALANCE';
    case 'balance-rr':
    case 'broadcast':
    case 'balance-tlb':
    case 'balance-alb':
      return null;
    default: {
      const never: never = mode;
      return never;
    }
  }
}

/** First word of a sysfs/procfs option value: "layer2+3 2" / "layer2+3 (2)" -> "layer2+3". */
export function firstWord(text: string | undefined): string | null {
  if (text === undefined) return null;
  const w = text.trim().split(/\s+/)[0];
  return w === undefined || w === '' ? null : w;
}

/** The kernel's "slow"/"fast" as the editor's LACPDU rate. */
export function parseLacpduRate(text: string | undefined): 'SLOW' | 'FAST' | null {
  const w = firstWord(text)?.toLowerCase();
  return w === 'slow' ? 'SLOW' : w === 'fast' ? 'FAST' : null;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
