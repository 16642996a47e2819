// Decoding of the IEEE 802.1AX (formerly 802.3ad) actor/partner port state byte, as printed by
// /proc/net/bonding/<bond> in "port state: N". Bit order from 802.1AX-2014 §6.4.2.3.

export const lacpStateFlags = [
  'lacp_activity',
  'lacp_timeout_short',
  'aggregation',
  'synchronization',
  'collecting',
  'distributing',
  'defaulted',
  'expired',
] as const;
export type LacpStateFlag = (typeof lacpStateFlags)[number];

/** The flag names whose bit is set in `state`, in bit order. Values outside 0..255 yield []. */
export function decodeLacpState(state: number): LacpStateFlag[] {
  if (!Number.isInteger(state) || state < 0 || state > 255) return [];
  return lacpStateFlags.filter((_, bit) => (state & (1 << bit)) !== 0);
}

export function hasLacpFlag(state: number, flag: LacpStateFlag): boolean {
  return decodeLacpState(state).includes(flag);
}

/** The state byte for a set of flag names (used by tests and fixtures). */
export function encodeLacpState(flags: readonly LacpStateFlag[]): number {
  return flags.reduce((acc, f) => acc | (1 << lacpStateFlags.indexOf(f)), 0);
}

/**
 * Plain words for a state byte, e.g. 63 -> "active, fast, aggregatable, in sync, collecting, distributing".
 * The first four properties are always named (they have a meaning when clear too); the rest only when set,
 * except that an in-sync port that is not collecting/distributing says so, because that is the state an
 * admin needs to notice.
 */
export function describeLacpState(state: number): string {
  if (!Number.isInteger(state) || state < 0 || state > 255) return `invalid LACP state ${state}`;
  const on = (f: LacpStateFlag): boolean => hasLacpFlag(state, f);
  const words = [
    on('lacp_activity') ? 'active' : 'passive',
    on('lacp_timeout_short') ? 'fast' : 'slow',
    on('aggregation') ? 'aggregatable' : 'individual',
    on('synchronization') ? 'in sync' : 'out of sync',
  ];
  if (on('collecting')) words.push('collecting');
  if (on('distributing')) words.push('distributing');
  if (on('synchronization') && !on('collecting') && !on('distributing')) words.push('not collecting or distributing');
  if (on('defaulted')) words.push('defaulted (no LACPDUs received from the partner)');
  if (on('expired')) words.push('expired (partner information timed out)');
  return words.join(', ');
}

/** A port carries traffic in the aggregate only when it is in sync, collecting and distributing. */
export function isLacpPortAggregating(state: number): boolean {
  return ['synchronization', 'collecting', 'distributing'].every((f) => hasLacpFlag(state, f as LacpStateFlag));
}
