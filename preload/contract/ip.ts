// Pure IPv4/IPv6 parsing for field validation in both the renderer and main (no node:net here:
// the renderer may not import Node modules).

export type IpFamily = 'inet' | 'inet6';

export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

/** Returns the 8 groups of an IPv6 address, or null. Accepts "::" compression and an IPv4 tail. */
export function parseIPv6(text: string): number[] | null {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(item)) return null;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = toGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

export function ipFamily(text: string): IpFamily | null {
  if (parseIPv4(text)) return 'inet';
  if (parseIPv6(text)) return 'inet6';
  return null;
}

/** The address as bits (MSB first), for prefix comparisons. */
function toBits(address: string): { family: IpFamily; bits: number[] } | null {
  const v4 = parseIPv4(address);
  if (v4) return { family: 'inet', bits: v4.flatMap((b) => byteBits(b, 8)) };
  const v6 = parseIPv6(address);
  if (v6) return { family: 'inet6', bits: v6.flatMap((g) => byteBits(g, 16)) };
  return null;
}

function byteBits(value: number, width: number): number[] {
  const out: number[] = [];
  for (let i = width - 1; i >= 0; i--) out.push((value >> i) & 1);
  return out;
}

/** True when the two networks (address/prefix) overlap: one contains the other. */
export function networksOverlap(a: string, aPrefix: number, b: string, bPrefix: number): boolean {
  const x = toBits(a);
  const y = toBits(b);
  if (!x || !y || x.family !== y.family) return false;
  const p = Math.min(aPrefix, bPrefix);
  for (let i = 0; i < p; i++) if (x.bits[i] !== y.bits[i]) return false;
  return true;
}

/** Canonical text for comparing addresses for equality (IPv6 groups expanded, lower case). */
export function canonicalIp(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4) return v4.join('.');
  const v6 = parseIPv6(address);
  if (v6) return v6.map((g) => g.toString(16)).join(':');
  return null;
}
