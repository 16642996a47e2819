import type { BondFieldKey, BondSpec } from '../../preload/contract/bond-spec';
import type { PendingOnBox } from '../../preload/contract/host-view';
import { canonicalIp } from '../../preload/contract/ip';
import type { PlanAction, PlanVerify } from '../plan/plan-types';

// How a change ended whose app was gone before it did (killed, crashed, closed inside the window):
// read from the box on a later connect, never assumed. DESIGN.md "Safe apply" 4: "a pending change
// found on a box is shown with its countdown, never silently kept"; so while the box still holds
// the change armed, it is left to the Keep/Revert banner. Once nothing is armed any more, the box
// either rolled it back (its own timer, a revert made elsewhere, a reboot that booted the old
// files) or kept it without anyone confirming (TrueNAS: a middlewared restart drops the snapshot
// and the timer, and the DB keeps the new config; reference/truenas-middleware.md §5).

/** What the app kept of the change (its saved plan). */
export interface RecoveredChange {
  readonly action: PlanAction;
  readonly bondName: string;
  readonly runId: string;
  readonly verify: Pick<PlanVerify, 'mode' | 'expected'>;
  /** Did that app see the change applied and waiting for Keep (else it died while applying it)? */
  readonly reachedCountdown: boolean;
}

/** The box now: what its driver reports as waiting, and the bond as the driver reads it back. */
export interface BoxNow {
  readonly pending: readonly PendingOnBox[];
  /** Null when the box has no bond of that name; `spec` null for a mode the editor does not offer. */
  readonly bond: { readonly spec: BondSpec | null } | null;
}

export type RecoveredOutcome =
  | { readonly kind: 'still-pending' }
  | { readonly kind: 'rolled-back'; readonly message: string }
  | { readonly kind: 'kept-unconfirmed'; readonly message: string };

const ACTION_WORDS: Readonly<Record<PlanAction, string>> = { create: 'create', update: 'change', delete: 'delete' };

export function recoveredOutcome(change: RecoveredChange, box: BoxNow): RecoveredOutcome {
  // The box names the change where it keeps ids (Linux runs); where it does not (the TrueNAS
  // middleware's one snapshot), anything pending there may be this change.
  if (box.pending.some((p) => p.runId === change.runId || p.runId === null)) return { kind: 'still-pending' };
  const what = `${ACTION_WORDS[change.action]} ${change.bondName}`;
  if (changeIsOnBox(change, box)) {
    return {
      kind: 'kept-unconfirmed',
      message: `Kept without confirmation: Bondsmith was not running when this change (${what}) ended, and the box kept it although nobody confirmed it (its rollback was dropped, for example by a restart of its network service). Check the bond.`,
    };
  }
  return {
    kind: 'rolled-back',
    message: change.reachedCountdown
      ? `Rolled back on the box: Bondsmith was not running inside the confirmation window, so nobody confirmed this change (${what}) and the box put its previous configuration back on its own.`
      : `Rolled back on the box: Bondsmith stopped while it was applying this change (${what}), before it could be confirmed; the box has its previous configuration (its rollback put it back, or the change never got that far).`,
  };
}

/** Is the box as the change left it: the bond gone for a delete, there with the planned fields otherwise? */
function changeIsOnBox(change: RecoveredChange, box: BoxNow): boolean {
  if (change.verify.mode === 'absent') return box.bond === null;
  if (box.bond === null) return false;
  const expected = change.verify.expected;
  if (expected === null) return true;
  const spec = box.bond.spec;
  return spec !== null && COMPARED.every((same) => same(spec, expected));
}

type Same = (now: BondSpec, planned: BondSpec) => boolean;
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const addressKeys = (spec: BondSpec): string[] => spec.aliases.map((a) => `${canonicalIp(a.address) ?? a.address}/${a.prefix}`).sort();

/**
 * Each field, compared where the box reads it back the way it was planned. Description is not:
 * some stacks keep none (the kernel), and a change that differs only there is not told apart
 * by it. A planned null (unset) matches whatever default the box reports.
 */
const SAME: { readonly [K in BondFieldKey]: Same | null } = {
  name: (now, planned) => now.name === planned.name,
  description: null,
  protocol: (now, planned) => now.protocol === planned.protocol,
  xmitHashPolicy: (now, planned) => planned.xmitHashPolicy === null || now.xmitHashPolicy === planned.xmitHashPolicy,
  lacpduRate: (now, planned) => planned.lacpduRate === null || now.lacpduRate === planned.lacpduRate,
  mtu: (now, planned) => planned.mtu === null || now.mtu === planned.mtu,
  members: (now, planned) => sameList([...now.members].sort(), [...planned.members].sort()),
  dhcp: (now, planned) => now.dhcp === planned.dhcp,
  aliases: (now, planned) => sameList(addressKeys(now), addressKeys(planned)),
};

const COMPARED = Object.values(SAME).filter((same): same is Same => same !== null);
