import type { HostFacts, NetInterface } from '../../preload/contract/inventory';
import { cidr, managementNic, routableAddresses } from './host-view';
import { memberProblem } from './validate-against-host';

// The member picker's list (DESIGN.md "The editor": only eligible ports are offered; ports that carry
// addresses or the SSH session are marked). A driver adds the marks of its own stack.

/** A port as the editor offers it (same shape as the contract's eligibleMemberSchema). */
export interface EligibleMemberMark {
  readonly name: string;
  readonly speedMbps: number | null;
  readonly link: 'up' | 'down' | 'unknown';
  readonly carriesAddresses: readonly string[];
  readonly carriesManagement: boolean;
  readonly eligible: boolean;
  /** Why not eligible; for an eligible port, what choosing it sets off (e.g. a config reset). */
  readonly reason: string | null;
  /** What the port's own configuration holds, where the stack refuses it as a member until it is reset; null: nothing to reset. */
  readonly ownConfiguration: string | null;
}

export interface EligibleOptions {
  readonly allowVirtualMembers?: boolean;
  /** The driver's own note on an eligible port that is not yet a member (what joining sets off), or null. */
  readonly joinNote?: (iface: NetInterface) => string | null;
  /** The driver's description of a port's own configuration that must be reset before it can join, or null. */
  readonly ownConfiguration?: (iface: NetInterface) => string | null;
}

function linkOf(iface: NetInterface): EligibleMemberMark['link'] {
  if (iface.operState === 'up' || iface.carrier === true) return 'up';
  if (iface.operState === 'down' || iface.operState === 'lowerlayerdown' || iface.carrier === false) return 'down';
  return 'unknown';
}

/** Every port of the host except loopback and the edited bond, marked for the member picker. */
export function eligibleMembers(facts: HostFacts, editingBond?: string | null, options: EligibleOptions = {}): EligibleMemberMark[] {
  const mgmt = managementNic(facts);
  const editing = editingBond ?? null;
  return facts.interfaces
    .filter((i) => i.kind !== 'loopback' && i.name !== editing)
    .map((iface) => {
      const problem = memberProblem(facts, iface.name, editing, options.allowVirtualMembers ?? false);
      const carriesManagement = iface.name === mgmt || iface.isManagement;
      let reason = problem;
      if (problem === null && carriesManagement) {
        reason = 'Carries this SSH session: its address moves onto the bond, and it must be the first member';
      } else if (problem === null && (editing === null || iface.master !== editing)) {
        reason = options.joinNote?.(iface) ?? null;
      }
      return {
        name: iface.name,
        speedMbps: iface.speedMbps,
        link: linkOf(iface),
        carriesAddresses: routableAddresses(iface).map(cidr),
        carriesManagement,
        eligible: problem === null,
        reason,
        ownConfiguration: problem === null && !carriesManagement && (editing === null || iface.master !== editing) ? (options.ownConfiguration?.(iface) ?? null) : null,
      };
    });
}
