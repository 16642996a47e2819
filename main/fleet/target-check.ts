import type { BondSpec, EligibleMember, HostFacts, HostView } from '../../preload/contract';

// Can one target host take the fleet's bond spec, with its member mapping? Pure: the facts and the
// driver's reading of them in, the action (create, or update the bond of that name) or the reason
// out, in words a person can act on. The host's own planner then checks the rest.

export interface TargetCheck {
  readonly action: 'create' | 'update' | null;
  readonly problem: string | null;
}

export function checkTarget(spec: BondSpec, members: readonly string[], facts: HostFacts | null, view: HostView | null, ports: readonly EligibleMember[]): TargetCheck {
  if (!facts || !view) return { action: null, problem: 'Bondsmith could not read this host, so it makes no plan for it.' };
  if (view.readOnlyReason !== null) return { action: null, problem: view.readOnlyReason };
  if (view.pending.length > 0) return { action: null, problem: `A change waits on this box for Keep or Revert (${view.pending[0]?.text ?? 'pending'}); resolve it on the host's screen first.` };
  const existing = view.bonds.find((b) => b.name === spec.name);
  if (facts.interfaces.some((i) => i.name === spec.name && i.kind !== 'bond')) return { action: null, problem: `${spec.name} is already the name of another kind of interface on this host.` };
  const action = existing ? 'update' : 'create';
  if (existing?.spec && sameSpec(existing.spec, { ...spec, members: [...members] })) return { action, problem: `${spec.name} is already like this on this host; there is nothing to change.` };
  for (const name of members) {
    const port = ports.find((p) => p.name === name);
    if (!port) return { action, problem: `This host has no port ${name}: pick its ports by hand.` };
    if (!port.eligible) return { action, problem: `${name} cannot be a member here: ${port.reason ?? 'not eligible'}. Pick other ports by hand.` };
  }
  return { action, problem: null };
}

function sameSpec(a: BondSpec, b: BondSpec): boolean {
  return JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
}

function normalised(s: BondSpec): unknown {
  return { ...s, aliases: [...s.aliases].map((a) => `${a.address}/${a.prefix}`).sort() };
}
