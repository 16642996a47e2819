import { BOND_FIELD_KEYS, withApplicableFields, type BondSpec } from '../../preload/contract/bond-spec';
import type { HostFacts } from '../../preload/contract/inventory';
import { findInterface } from '../plan/host-view';
import { KERNEL_FIELDS, type KernelSource, type StackReading } from './kernel-fields';

export type { StackReading } from './kernel-fields';

// The editor's fields of an existing bond, read back from what discovery found: the kernel's view,
// with what a driver's stack keeps beyond it (TrueNAS's member order and description in its DB, say).
// Each field's reader is in kernel-fields.ts.

/** The bond's editor fields, or null when it runs a mode the editor does not offer. */
export function readBondSpec(facts: HostFacts, bondName: string, stack: StackReading = {}): BondSpec | null {
  const bond = facts.bonds.find((b) => b.name === bondName);
  if (!bond?.protocol) return null;
  const source: KernelSource = { name: bondName, bond: { ...bond, protocol: bond.protocol }, iface: findInterface(facts, bondName), facts, stack };
  return withApplicableFields(Object.fromEntries(BOND_FIELD_KEYS.map((k) => [k, KERNEL_FIELDS[k].read(source)])) as BondSpec);
}
