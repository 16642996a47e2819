import type { BondSpec } from '../../preload/contract/bond-spec';
import type { RecordedBondState } from '../../preload/contract/history';
import { hostFactsSchema, type HostFacts } from '../../preload/contract/inventory';
import { driverForFacts } from '../drivers/registry';

// A bond as one audit entry recorded it: the entry keeps the whole host's discovered facts before
// and after the change (stateBefore / stateAfter), and the bond's editor fields are read back from
// them by the driver of that host, the same reader the editor uses for a bond on a live host.

export type RecordedBond =
  | { readonly state: 'present'; readonly spec: BondSpec; readonly facts: HostFacts }
  /** The bond was there but ran a mode the editor does not offer (balance-rr, say). */
  | { readonly state: 'unreadable'; readonly mode: string; readonly facts: HostFacts }
  | { readonly state: 'absent'; readonly facts: HostFacts }
  /** The line holds no facts Bondsmith can read (none kept, or from a format it does not know). */
  | { readonly state: 'not-recorded' };

export function recordedBond(state: unknown, bondName: string): RecordedBond {
  if (state === null || state === undefined) return { state: 'not-recorded' };
  const parsed = hostFactsSchema.safeParse(state);
  if (!parsed.success) return { state: 'not-recorded' };
  return bondOnHost(parsed.data, bondName);
}

/** The bond as it is in these facts (today's, or recorded ones). */
export function bondOnHost(facts: HostFacts, bondName: string): Exclude<RecordedBond, { state: 'not-recorded' }> {
  const status = facts.bonds.find((b) => b.name === bondName);
  const iface = facts.interfaces.find((i) => i.name === bondName);
  if (!status && iface?.kind !== 'bond') return { state: 'absent', facts };
  const spec = driverForFacts(facts)?.specOf(facts, bondName) ?? null;
  if (spec === null) return { state: 'unreadable', mode: status?.mode ?? 'unknown', facts };
  return { state: 'present', spec, facts };
}

export function stateOf(bond: RecordedBond): RecordedBondState {
  return bond.state;
}
