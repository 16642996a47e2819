// Words for each bit of an 802.1AX actor/partner port state byte (802.1AX-2014 §6.4.2.3, the order
// /proc/net/bonding's "port state: N" uses), for the picture's hover and focus details.

interface StateBit {
  readonly name: string;
  readonly on: string;
  readonly off: string;
}

const BITS: readonly StateBit[] = [
  { name: 'LACP activity', on: 'active (sends LACPDUs on its own)', off: 'passive (answers LACPDUs only)' },
  { name: 'LACP timeout', on: 'fast (LACPDUs every 1 s)', off: 'slow (LACPDUs every 30 s)' },
  { name: 'Aggregation', on: 'aggregatable', off: 'individual (will not join a group)' },
  { name: 'Synchronization', on: 'in sync', off: 'out of sync' },
  { name: 'Collecting', on: 'collecting (accepts frames)', off: 'not collecting' },
  { name: 'Distributing', on: 'distributing (sends frames)', off: 'not distributing' },
  { name: 'Defaulted', on: 'defaulted: no LACPDUs received, partner values are defaults', off: 'partner information received' },
  { name: 'Expired', on: 'expired: partner information timed out', off: 'not expired' },
];

export interface StateBitWord {
  readonly bit: number;
  readonly name: string;
  readonly set: boolean;
  readonly words: string;
}

/** Each of the eight bits of a state byte, set or not, in words. */
export function stateBitWords(state: number): readonly StateBitWord[] {
  return BITS.map((b, bit) => {
    const set = (state & (1 << bit)) !== 0;
    return { bit, name: b.name, set, words: set ? b.on : b.off };
  });
}

const SYNC_COLLECTING_DISTRIBUTING = (1 << 3) | (1 << 4) | (1 << 5);

/** A port carries traffic in the aggregate only when it is in sync, collecting and distributing. */
export function isAggregating(state: number): boolean {
  return (state & SYNC_COLLECTING_DISTRIBUTING) === SYNC_COLLECTING_DISTRIBUTING;
}

/** A short summary of the bits that matter most, e.g. "active, fast, in sync, collecting, distributing". */
export function stateSummary(state: number): string {
  const w = stateBitWords(state);
  const on = (i: number): boolean => w[i]?.set === true;
  const parts = [on(0) ? 'active' : 'passive', on(1) ? 'fast' : 'slow', on(3) ? 'in sync' : 'out of sync'];
  parts.push(on(4) ? 'collecting' : 'not collecting', on(5) ? 'distributing' : 'not distributing');
  if (on(6)) parts.push('defaulted');
  if (on(7)) parts.push('expired');
  return parts.join(', ');
}
