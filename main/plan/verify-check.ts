import { canonicalIp } from '../../preload/contract/ip';

// The verifiers' shared vocabulary: one named check with its verdict and what was found. Each
// driver reads the live state its own way (drivers/<kind>/verify.ts); the checks look the same.

export interface VerifyCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function check(name: string, ok: boolean, detail: string): VerifyCheck {
  return { name, ok, detail };
}

/** A remote JSON value as text for a message; objects and arrays are shown as JSON. */
export function text(value: unknown, fallback: string): string {
  if (value === null || value === undefined) return fallback;
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Are all the expected "address/prefix" strings among the actual ones (IPv6 in any spelling)? */
export function sameCidrSet(expected: readonly string[], actual: readonly string[]): { ok: boolean; missing: string[] } {
  const norm = (c: string): string => {
    const [addr = '', prefix = ''] = c.split('/');
    return `${canonicalIp(addr) ?? addr}/${prefix}`;
  };
  const have = new Set(actual.map(norm));
  const missing = expected.filter((e) => !have.has(norm(e)));
  return { ok: missing.length === 0, missing };
}

/** Same members, in any order (the kernel lists them in enslave order). */
export function sameMembers(expected: readonly string[], actual: readonly string[]): boolean {
  return [...expected].sort().join(',') === [...actual].sort().join(',');
}
