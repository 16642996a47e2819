import type { BondSpec } from '../../preload/contract/bond-spec';
import type { RestoreSide } from '../../preload/contract/history';
import type { HostFacts } from '../../preload/contract/inventory';
import { planBondChange, type PlanOptions } from '../drivers/plan-change';
import type { FieldError, Plan, PlanAction } from '../plan/plan-types';
import { bondDiffRows } from './bond-diff';
import { bondOnHost, type RecordedBond } from './recorded-bond';

// Restore (DESIGN.md "History"): put a bond back as an audit entry recorded it, before or after its
// change. The recorded configuration becomes an ordinary change of today's host, planned from
// today's facts by today's driver: the old plan's commands are never replayed. Where today's host
// differs from what was recorded, the notes say what differs and what the plan does about it, or
// the restore is refused with the reason.

export interface RestoreInput {
  readonly hostId: string;
  readonly bondName: string;
  readonly side: RestoreSide;
  /** The bond as the entry recorded it on that side. */
  readonly recorded: RecordedBond;
  /** The host as discovered now. */
  readonly today: HostFacts;
  readonly options?: PlanOptions;
}

export type RestoreResult =
  | { readonly ok: true; readonly plan: Plan; readonly notes: readonly string[] }
  | { readonly ok: false; readonly refusal: string; readonly notes: readonly string[]; readonly fieldErrors: readonly FieldError[] };

/** What to ask the planner for: the change that makes today's bond the recorded one. */
export type RestoreIntent =
  | { readonly ok: true; readonly action: PlanAction; readonly spec: BondSpec | null; readonly notes: readonly string[] }
  | { readonly ok: false; readonly refusal: string; readonly notes: readonly string[] };

const SIDE_WORDS: Readonly<Record<RestoreSide, string>> = { before: 'before', after: 'after' };

function refuse(refusal: string, notes: readonly string[] = []): RestoreIntent {
  return { ok: false, refusal, notes };
}

/** Pure: the recorded bond against today's host, without planning yet. */
export function restoreIntent(input: Omit<RestoreInput, 'hostId' | 'options'>): RestoreIntent {
  const { bondName, recorded, today } = input;
  const when = `${SIDE_WORDS[input.side]} that change`;
  if (recorded.state === 'not-recorded') return refuse(`This entry did not record the host's configuration ${when}, so there is nothing to put back.`);
  if (recorded.state === 'unreadable') return refuse(`${when[0]?.toUpperCase() ?? ''}${when.slice(1)}, ${bondName} ran ${recorded.mode}, a mode the bond editor does not offer; Bondsmith restores only bonds it can edit.`);

  const now = bondOnHost(today, bondName);
  const iface = today.interfaces.find((i) => i.name === bondName);
  const dbEntry = today.middleware?.interfaces.find((i) => i.id === bondName);
  if (now.state === 'absent' && (iface !== undefined || (dbEntry !== undefined && dbEntry.type !== 'LINK_AGGREGATION'))) {
    const what = iface ? `a ${iface.kind} interface` : `a ${dbEntry?.type.toLowerCase() ?? 'other'} interface in the middleware`;
    return refuse(`The name ${bondName} is taken: on this host today it is ${what}, not a bond. Bondsmith will not replace it; rename or remove that interface first.`);
  }

  if (recorded.state === 'absent') {
    if (now.state === 'absent') return refuse(`${bondName} did not exist ${when} and does not exist today: the host is already as it was.`);
    const members = today.interfaces.filter((i) => i.master === bondName).map((i) => i.name);
    return {
      ok: true,
      action: 'delete',
      spec: null,
      notes: [`${bondName} did not exist ${when}; putting that back deletes it${members.length > 0 ? ` and releases ${members.join(', ')}` : ''}.`],
    };
  }

  const target = recorded.spec;
  const notes: string[] = [];
  const gone = target.members.filter((m) => !today.interfaces.some((i) => i.name === m));
  const kept = target.members.filter((m) => !gone.includes(m));
  if (kept.length === 0) {
    return refuse(`None of ${bondName}'s recorded members (${target.members.join(', ')}) is on this host any more, so it cannot be put back.`);
  }
  for (const m of gone) notes.push(`${m} was a member then and is no longer on this host; ${bondName} is put back without it.`);
  if (target.protocol === 'FAILOVER' && gone.includes(target.members[0] ?? '')) {
    notes.push(`${target.members[0] ?? ''} was the primary; ${kept[0] ?? ''} becomes the primary.`);
  }
  const busy = kept
    .map((m) => ({ m, master: today.interfaces.find((i) => i.name === m)?.master ?? null }))
    .filter((x) => x.master !== null && x.master !== bondName);
  if (busy.length > 0) {
    return refuse(
      `${busy.map((x) => `${x.m} is now a member of ${x.master ?? ''}`).join('; ')}. Putting ${bondName} back would take ${busy.length === 1 ? 'it' : 'them'} from there; change ${[...new Set(busy.map((x) => x.master))].join(', ')} first.`,
      notes,
    );
  }
  const spec: BondSpec = { ...target, members: kept };

  if (now.state === 'absent') {
    return { ok: true, action: 'create', spec, notes: [`${bondName} is not on this host today (deleted since); putting it back creates it with the recorded settings.`, ...notes] };
  }
  if (now.state === 'unreadable') {
    return { ok: true, action: 'update', spec, notes: [`Today ${bondName} runs ${now.mode}, a mode the editor does not offer; the plan sets every recorded field.`, ...notes] };
  }
  const differences = bondDiffRows(now.spec, spec).filter((r) => r.changed);
  if (differences.length === 0) return refuse(`${bondName} is already as it was ${when}: nothing to change.`, notes);
  return {
    ok: true,
    action: 'update',
    spec,
    notes: [...differences.map((r) => `${r.label}: ${r.before ?? ''} today → ${r.after ?? ''} as recorded${r.note ? ` (${r.note})` : ''}.`), ...notes],
  };
}

/** The restore as an ordinary plan on today's host, or the refusal with its reason. */
export function planRestore(input: RestoreInput): RestoreResult {
  const intent = restoreIntent(input);
  if (!intent.ok) return { ok: false, refusal: intent.refusal, notes: intent.notes, fieldErrors: [] };
  const result = planBondChange({
    hostId: input.hostId,
    facts: input.today,
    action: intent.action,
    ...(intent.spec === null ? {} : { spec: intent.spec }),
    existingBondName: input.bondName,
    ...(input.options === undefined ? {} : { options: input.options }),
  });
  if (!result.ok) {
    const reasons = result.fieldErrors.map((e) => e.message);
    return { ok: false, refusal: `Today's host does not take the recorded configuration: ${reasons.join('; ')}.`, notes: intent.notes, fieldErrors: result.fieldErrors };
  }
  return { ok: true, plan: result.plan, notes: intent.notes };
}
