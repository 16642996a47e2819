import { BOND_FIELD_KEYS, fieldApplies, PROTOCOL_TO_MODE, type BondFieldKey, type BondSpec, type LacpduRate } from '../../../preload/contract/bond-spec';
import type { BondMode, HostFacts } from '../../../preload/contract/inventory';
import { ipFamily, networksOverlap } from '../../../preload/contract/ip';
import { kernelHashPolicy, kernelLacpRate } from '../../bond/kernel-words';
import { currentMembers, findInterface, routableAddresses } from '../../plan/host-view';
import { quoteArgs, quoteForShell as q } from '../../shell/quote';

// The runtime side of a Linux change, as data: the state of every touched interface before and after,
// and the iproute2 commands that turn one into the other. apply = leave(before) + enter(after);
// restore = leave(after) + enter(before), so rollback is the same code run the other way.

export interface AddressState {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly prefix: number;
}

export interface NicState {
  readonly name: string;
  readonly up: boolean;
  readonly mtu: number | null;
  readonly addresses: readonly AddressState[];
}

export interface BondState {
  readonly name: string;
  readonly mode: BondMode;
  readonly miimonMs: number;
  /** The kernel's word (layer2, layer2+3, layer3+4, or one the editor does not offer): restore puts back what was there. */
  readonly xmitHashPolicy: string | null;
  readonly lacpduRate: LacpduRate | null;
  readonly primary: string | null;
  readonly members: readonly string[];
  readonly mtu: number | null;
  readonly addresses: readonly AddressState[];
  readonly dhcp: boolean;
}

export interface RouteState {
  readonly family: 'inet' | 'inet6';
  readonly gateway: string;
  readonly dev: string;
}

export interface RuntimeState {
  readonly bond: BondState | null;
  /** Touched interfaces that are not members of `bond`. */
  readonly nics: readonly NicState[];
  /** Default routes through touched interfaces. */
  readonly routes: readonly RouteState[];
}

export const MIIMON_MS = 100;

function specAddresses(spec: BondSpec): AddressState[] {
  return spec.aliases.map((a) => ({ family: ipFamily(a.address) === 'inet6' ? 'inet6' : 'inet', address: a.address, prefix: a.prefix }));
}

/**
 * Each editor field as the kernel state the apply script builds (and the ifupdown file persists):
 * a new field in the table must say what it sets. The kernel's defaults (layer2, slow) differ from
 * the editor's, so the chosen value is always said.
 */
const FIELD_STATE: { readonly [K in BondFieldKey]: (spec: BondSpec) => Partial<BondState> } = {
  name: (spec) => ({ name: spec.name }),
  description: () => ({}), // not kernel state: renderBondFile keeps it as a comment in the ifupdown file
  protocol: (spec) => ({ mode: PROTOCOL_TO_MODE[spec.protocol] }),
  xmitHashPolicy: (spec) => ({ xmitHashPolicy: fieldApplies('xmitHashPolicy', spec.protocol) ? kernelHashPolicy(spec.xmitHashPolicy ?? 'LAYER2+3') : null }),
  lacpduRate: (spec) => ({ lacpduRate: fieldApplies('lacpduRate', spec.protocol) ? (spec.lacpduRate ?? 'SLOW') : null }),
  // FAILOVER's first member is its primary.
  members: (spec) => ({ members: [...spec.members], primary: spec.protocol === 'FAILOVER' ? (spec.members[0] ?? null) : null }),
  aliases: (spec) => ({ addresses: specAddresses(spec) }),
  dhcp: (spec) => ({ dhcp: spec.dhcp }),
  mtu: (spec) => ({ mtu: spec.mtu }),
};

export function bondStateFromSpec(spec: BondSpec): BondState {
  const base: BondState = { name: spec.name, mode: PROTOCOL_TO_MODE[spec.protocol], miimonMs: MIIMON_MS, xmitHashPolicy: null, lacpduRate: null, primary: null, members: [], mtu: null, addresses: [], dhcp: false };
  return Object.assign(base, ...BOND_FIELD_KEYS.map((k) => FIELD_STATE[k](spec))) as BondState;
}

/** The existing bond as the kernel runs it; null when /proc/net/bonding was not read. */
export function bondStateFromFacts(facts: HostFacts, name: string): BondState | null {
  const status = facts.bonds.find((b) => b.name === name);
  const iface = findInterface(facts, name);
  if (!status || !iface) return null;
  return {
    name,
    mode: status.mode,
    miimonMs: status.miimonMs ?? 0,
    xmitHashPolicy: status.mode === '802.3ad' || status.mode === 'balance-xor' ? status.xmitHashPolicy : null,
    lacpduRate: status.mode === '802.3ad' ? status.lacpduRate : null,
    primary: status.mode === 'active-backup' ? status.primary : null,
    members: currentMembers(facts, name),
    mtu: iface.mtu,
    addresses: routableAddresses(iface).map((a) => ({ family: a.family, address: a.address, prefix: a.prefix })),
    dhcp: false, // a DHCP client found running is restarted by the restore script instead
  };
}

export function nicStateFromFacts(facts: HostFacts, name: string): NicState {
  const iface = findInterface(facts, name);
  return {
    name,
    up: iface ? iface.operState !== 'down' : false,
    mtu: iface?.mtu ?? null,
    addresses: routableAddresses(iface).map((a) => ({ family: a.family, address: a.address, prefix: a.prefix })),
  };
}

/** Which interface of `state` can reach `gateway` directly (its network holds the gateway). */
export function devForGateway(state: RuntimeState, route: RouteState): string | null {
  const holders: { name: string; addresses: readonly AddressState[] }[] = [...(state.bond ? [state.bond] : []), ...state.nics];
  for (const h of holders) {
    if (h.addresses.some((a) => a.family === route.family && networksOverlap(a.address, a.prefix, route.gateway, a.family === 'inet' ? 32 : 128))) return h.name;
  }
  return null;
}

function ipCmd(family: 'inet' | 'inet6', ...args: string[]): string {
  return family === 'inet6' ? `ip -6 ${quoteArgs(args)}` : `ip ${quoteArgs(args)}`;
}

export function dhcpPidFile(name: string): string {
  return `/run/dhclient.${name}.pid`;
}

/** Same pid and lease files as ifupdown's dhcp method, so a later `ifdown` finds the client. */
export function startDhcpCommand(name: string): string {
  return `dhclient -4 -nw -pf ${dhcpPidFile(name)} -lf /var/lib/dhcp/dhclient.${name}.leases ${name}`;
}

/** Commands that take the bond and the touched interfaces back to clean, down ports (tolerant: parts may already be gone). */
export function leaveCommands(bondName: string, touched: readonly string[]): string[] {
  // Deleting the bond releases its members; a bond that does not exist makes this a no-op.
  const out: string[] = [`ip link del ${q(bondName)} 2>/dev/null`];
  for (const name of touched) {
    if (name === bondName) continue;
    out.push(`ip link set ${q(name)} nomaster 2>/dev/null`, `ip addr flush dev ${q(name)} 2>/dev/null`, `ip link set ${q(name)} down 2>/dev/null`);
  }
  return out;
}

/** Commands that build `state` from clean interfaces (after leaveCommands). */
export function enterCommands(state: RuntimeState): string[] {
  const out: string[] = [];
  for (const nic of state.nics) {
    if (nic.mtu !== null) out.push(`ip link set ${q(nic.name)} mtu ${nic.mtu}`);
    if (nic.up) out.push(`ip link set ${q(nic.name)} up`);
    for (const a of nic.addresses) out.push(ipCmd(a.family, 'addr', 'replace', `${a.address}/${a.prefix}`, 'dev', nic.name));
  }
  const b = state.bond;
  if (b) {
    const opts = ['mode', b.mode];
    if (b.miimonMs > 0) opts.push('miimon', String(b.miimonMs));
    if (b.xmitHashPolicy !== null) opts.push('xmit_hash_policy', b.xmitHashPolicy);
    if (b.lacpduRate !== null) opts.push('lacp_rate', kernelLacpRate(b.lacpduRate));
    out.push(`ip link add ${q(b.name)} type bond ${quoteArgs(opts)}`);
    if (b.mtu !== null) out.push(`ip link set ${q(b.name)} mtu ${b.mtu}`);
    // Enslave in order: the first member gives the bond its MAC address.
    for (const m of b.members) out.push(`ip link set ${q(m)} down`, `ip link set ${q(m)} master ${q(b.name)}`);
    if (b.primary !== null) out.push(`ip link set ${q(b.name)} type bond primary ${q(b.primary)}`);
    out.push(`ip link set ${q(b.name)} up`);
    for (const a of b.addresses) out.push(ipCmd(a.family, 'addr', 'replace', `${a.address}/${a.prefix}`, 'dev', b.name));
    if (b.dhcp) out.push(startDhcpCommand(b.name));
  }
  for (const r of state.routes) out.push(ipCmd(r.family, 'route', 'replace', 'default', 'via', r.gateway, 'dev', r.dev));
  return out;
}
