import { BOND_FIELD_KEYS, BOND_FIELDS, fieldApplies, type BondAlias, type BondFieldKey, type BondSpec } from '../../preload/contract/bond-spec';
import type { BondDiff, BondDiffRow } from '../../preload/contract/history';
import type { RecordedBond } from './recorded-bond';

// The bond's editor fields at both ends of a change, side by side in words, one row per field of
// BOND_FIELDS (so a new field shows up here without more code). Lists say what was added and
// removed, and member order counts: the first FAILOVER member is the primary.

const NOT_APPLICABLE = 'not used';

function aliasText(a: BondAlias): string {
  return `${a.address}/${a.prefix}`;
}

/** A field's value as people read it; 'not used' where the field does not apply to the protocol. */
export function fieldText(spec: BondSpec, key: BondFieldKey): string {
  if (!fieldApplies(key, spec.protocol)) return NOT_APPLICABLE;
  switch (key) {
    case 'name':
      return spec.name;
    case 'description':
      return spec.description === '' ? '(none)' : spec.description;
    case 'protocol':
      return spec.protocol;
    case 'xmitHashPolicy':
      return spec.xmitHashPolicy ?? NOT_APPLICABLE;
    case 'lacpduRate':
      return spec.lacpduRate ?? NOT_APPLICABLE;
    case 'mtu':
      return spec.mtu === null ? 'default' : String(spec.mtu);
    case 'members':
      return spec.members.length === 0 ? '(none)' : spec.members.map((m, i) => (i === 0 && spec.protocol === 'FAILOVER' ? `${m} (primary)` : m)).join(', ');
    case 'dhcp':
      return spec.dhcp ? 'on' : 'off';
    case 'aliases':
      return spec.aliases.length === 0 ? '(none)' : spec.aliases.map(aliasText).join(', ');
    default: {
      const never: never = key;
      return String(never);
    }
  }
}

function listItems(spec: BondSpec | null, key: BondFieldKey): string[] | null {
  if (spec === null) return null;
  if (key === 'members') return [...spec.members];
  if (key === 'aliases') return spec.aliases.map(aliasText);
  return null;
}

function listNote(before: string[] | null, after: string[] | null): string | null {
  if (before === null || after === null) return null;
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  const parts = [...(added.length > 0 ? [`${added.join(', ')} added`] : []), ...(removed.length > 0 ? [`${removed.join(', ')} removed`] : [])];
  if (parts.length === 0 && before.join('\n') !== after.join('\n')) return 'same entries, new order';
  return parts.length > 0 ? parts.join('; ') : null;
}

function specOf(bond: RecordedBond): BondSpec | null {
  return bond.state === 'present' ? bond.spec : null;
}

/** Field by field: before and after (null where the bond was not there), and what changed. */
export function bondDiffRows(before: BondSpec | null, after: BondSpec | null): BondDiffRow[] {
  return BOND_FIELD_KEYS.map((key) => {
    const b = before === null ? null : fieldText(before, key);
    const a = after === null ? null : fieldText(after, key);
    return { field: key, label: BOND_FIELDS[key].label, before: b, after: a, changed: b !== a, note: listNote(listItems(before, key), listItems(after, key)) };
  });
}

function sideWords(bond: RecordedBond, bondName: string): string | null {
  switch (bond.state) {
    case 'present':
      return null;
    case 'absent':
      return null;
    case 'unreadable':
      return `${bondName} ran ${bond.mode}, a mode the editor does not offer`;
    case 'not-recorded':
      return 'not recorded';
    default: {
      const never: never = bond;
      return String(never);
    }
  }
}

/** The readable diff of one audit entry's bond, before and after the change. */
export function diffRecordedBond(before: RecordedBond, after: RecordedBond, bondName: string): BondDiff {
  const rows = bondDiffRows(specOf(before), specOf(after));
  const changed = rows.filter((r) => r.changed);
  let summary: string;
  if (before.state === 'not-recorded' || after.state === 'not-recorded') {
    summary = `The configuration ${before.state === 'not-recorded' ? 'before' : 'after'} the change was not recorded.`;
  } else if (before.state === 'absent' && after.state === 'absent') {
    summary = `${bondName} was not there before and is not there after the change.`;
  } else if (before.state === 'absent') {
    summary = `${bondName} created.`;
  } else if (after.state === 'absent') {
    summary = `${bondName} deleted.`;
  } else if (before.state === 'unreadable' || after.state === 'unreadable') {
    summary = [sideWords(before, bondName), sideWords(after, bondName)].filter((w) => w !== null).join('; ') + '.';
  } else if (changed.length === 0) {
    summary = `No difference in ${bondName}'s settings.`;
  } else {
    summary = `${changed.map((r) => r.label).join(', ')} changed.`;
  }
  return { before: before.state, after: after.state, rows: before.state === 'present' || after.state === 'present' ? rows : [], summary };
}
