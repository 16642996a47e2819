import { kernelLacpRate } from '../../bond/kernel-words';
import type { AddressState, BondState, RouteState } from './runtime';

// The persistent side of a Linux change: ifupdown files (interfaces(5)) for Debian's ifenslave.
// The bond gets its own file in /etc/network/interfaces.d/. Its first stanza is `inet manual` and
// carries the bond-* options and mtu (the dhcp method takes no mtu); each address is one more stanza
// (interfaces(5): "Multiple iface stanzas can be given for the same interface"). Members are listed
// with bond-slaves on the master, in order, because ifenslave enslaves them in that order and the
// first one gives the bond its MAC address; they get `inet manual` stanzas and no `auto` line.

export const INTERFACES_PATH = '/etc/network/interfaces';
export const INTERFACES_D = '/etc/network/interfaces.d';
const DISABLED = '#bondsmith# ';

export function bondFilePath(bondName: string): string {
  return `${INTERFACES_D}/${bondName}`;
}

/** The current ifupdown files, read by discovery (`cat /etc/network/interfaces /etc/network/interfaces.d/*`). */
export interface LinuxNetworkFiles {
  readonly interfaces: string | null;
  /** File name (not path) -> content, for every file in /etc/network/interfaces.d. */
  readonly interfacesD: Readonly<Record<string, string>>;
}

export interface BondFileInput {
  readonly bond: BondState;
  readonly description: string;
  /** Default routes that now leave through the bond. */
  readonly routes: readonly RouteState[];
  /** dns-* option lines carried over from the members' disabled stanzas. */
  readonly dnsOptions: readonly string[];
}

function gatewayFor(a: AddressState, routes: readonly RouteState[], used: Set<string>): string | null {
  const r = routes.find((x) => x.family === a.family && !used.has(x.gateway));
  if (!r) return null;
  used.add(r.gateway);
  return r.gateway;
}

export function renderBondFile(input: BondFileInput): string {
  const b = input.bond;
  const lines = [`# Written by Bondsmith for ${b.name}. Bondsmith rewrites this file when ${b.name} changes.`];
  if (input.description !== '') lines.push(`# Description: ${input.description}`);
  lines.push(`auto ${b.name}`, `iface ${b.name} inet manual`, `    bond-slaves ${b.members.join(' ')}`, `    bond-mode ${b.mode}`, `    bond-miimon ${b.miimonMs}`);
  if (b.primary !== null) lines.push(`    bond-primary ${b.primary}`);
  if (b.xmitHashPolicy !== null) lines.push(`    bond-xmit-hash-policy ${b.xmitHashPolicy}`);
  if (b.lacpduRate !== null) lines.push(`    bond-lacp-rate ${kernelLacpRate(b.lacpduRate)}`);
  if (b.mtu !== null) lines.push(`    mtu ${b.mtu}`);
  const used = new Set<string>();
  let dnsPlaced = false;
  if (b.dhcp) {
    lines.push('', `iface ${b.name} inet dhcp`);
  }
  for (const a of b.addresses) {
    lines.push('', `iface ${b.name} ${a.family} static`, `    address ${a.address}/${a.prefix}`);
    const gw = gatewayFor(a, input.routes, used);
    if (gw !== null) lines.push(`    gateway ${gw}`);
    if (!dnsPlaced && input.dnsOptions.length > 0) {
      lines.push(...input.dnsOptions.map((o) => `    ${o}`));
      dnsPlaced = true;
    }
  }
  for (const m of b.members) lines.push('', `iface ${m} inet manual`);
  return lines.join('\n') + '\n';
}

const TOP_LEVEL = /^(iface|mapping|auto|allow-[^\s]+|source|source-directory|rename)(\s|$)/;

function matches(name: string, targets: readonly string[]): boolean {
  // eno1:0 is the old alias syntax for more addresses on eno1.
  return targets.some((t) => name === t || name.startsWith(`${t}:`));
}

export interface DisableResult {
  readonly content: string;
  readonly changed: boolean;
  /** dns-* option lines found in disabled stanzas. */
  readonly dnsOptions: string[];
}

/**
 * Comments out every stanza and auto/allow- entry for `names`, so ifupdown no longer configures them
 * at boot. Lines are kept (prefixed with "#bondsmith# ") so the admin can see what was there.
 */
export function disableStanzas(content: string, names: readonly string[], why: string): DisableResult {
  const lines = content.split('\n');
  const out: string[] = [];
  const dnsOptions: string[] = [];
  let inDisabled = false;
  let changed = false;
  for (const line of lines) {
    const trimmed = line.trim();
    const top = TOP_LEVEL.exec(trimmed);
    if (top) inDisabled = false;
    const words = trimmed.split(/\s+/);
    if (top && (top[1] === 'auto' || top[1]?.startsWith('allow-'))) {
      const kept = words.slice(1).filter((w) => !matches(w, names));
      if (kept.length < words.length - 1) {
        changed = true;
        out.push(`${DISABLED}${line}   # ${why}`);
        if (kept.length > 0) out.push(`${words[0] ?? ''} ${kept.join(' ')}`);
        continue;
      }
    } else if (top && top[1] === 'iface' && words[1] !== undefined && matches(words[1], names)) {
      inDisabled = true;
      changed = true;
      out.push(`${DISABLED}${line}   # ${why}`);
      continue;
    } else if (inDisabled && trimmed !== '' && !trimmed.startsWith('#')) {
      if (/^dns-[a-z-]+\s/.test(trimmed)) dnsOptions.push(trimmed);
      out.push(`${DISABLED}${line}`);
      continue;
    }
    out.push(line);
  }
  return { content: out.join('\n'), changed, dnsOptions };
}

/** Debian's default file sources interfaces.d; a hand-made one may not, and then the bond file is ignored. */
export function sourcesInterfacesD(content: string): boolean {
  return content.split('\n').some((l) => /^\s*(source\s+\/etc\/network\/interfaces\.d\/\*|source-directory\s+(\/etc\/network\/)?interfaces\.d\/?)\s*$/.test(l));
}

export function withSourceLine(content: string): string {
  const base = content.endsWith('\n') || content === '' ? content : `${content}\n`;
  return `${base}\n# Added by Bondsmith so that files in ${INTERFACES_D} are read.\nsource ${INTERFACES_D}/*\n`;
}
