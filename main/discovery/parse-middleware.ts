import type { MiddlewareView } from '../../preload/contract';
import { clip } from '../bond/bond-values';
import { ipFamily } from '../../preload/contract/ip';
import { extractJson, firstLineOf, type DiscoverySection } from './discovery-sections';

// The TrueNAS middleware's view from `midclt call` output (reference/truenas-middleware.md §3, §6):
// booleans print as True/False, ints raw, strings raw, everything else as one-line JSON. A failed
// call leaves its error text in the section (the script runs midclt with 2>&1) and a non-zero rc.

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface MiddlewareSections {
  version?: DiscoverySection;
  query?: DiscoverySection;
  pending?: DiscoverySection;
  checkin?: DiscoverySection;
  /** /etc/resolv.conf, where TrueNAS writes the DNS servers it uses (its own or DHCP's). */
  resolv?: DiscoverySection;
}

const lastLine = (s: string): string => s.trim().split('\n').pop()?.trim() ?? '';
const failed = (s: DiscoverySection | undefined): boolean => s === undefined || s.rc !== 0;
const why = (s: DiscoverySection | undefined): string =>
  s === undefined ? 'no answer (output cut short?)' : s.rc === null ? 'output cut short' : firstLineOf(s.content) || `exit status ${s.rc}`;

/** "25.04.2.6" from system.version_short (raw string, or a JSON string on some clients). */
export function parseMidcltString(content: string): string | null {
  const line = lastLine(content);
  if (line === '' || line === 'null' || line === 'None') return null;
  if (line.startsWith('"')) {
    try {
      const v = JSON.parse(line) as unknown;
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  }
  return line;
}

export function parseMidcltBool(content: string): boolean | null {
  const line = lastLine(content);
  if (line === 'True' || line === 'true') return true;
  if (line === 'False' || line === 'false') return false;
  return null;
}

/** checkin_waiting: an int of seconds, or null/None when no rollback timer runs. undefined = unreadable. */
export function parseMidcltSeconds(content: string): number | null | undefined {
  const line = lastLine(content);
  if (line === 'null' || line === 'None') return null;
  if (/^\d{1,9}(\.\d+)?$/.test(line)) return Math.round(Number(line));
  return undefined;
}

function aliasText(a: unknown): string | null {
  if (!isObj(a)) return null;
  const address = a['address'];
  const netmask = a['netmask'];
  if (typeof address !== 'string' || address.length > 45) return null;
  return typeof netmask === 'number' && Number.isInteger(netmask) ? `${address}/${netmask}` : address;
}

function entryOf(e: unknown): MiddlewareView['interfaces'][number] | null {
  if (!isObj(e)) return null;
  const id = e['id'];
  const type = e['type'];
  if (typeof id !== 'string' || id === '' || id.length > 32 || typeof type !== 'string' || type.length > 32) return null;
  const ports = Array.isArray(e['lag_ports']) ? e['lag_ports'] : [];
  const proto = e['lag_protocol'];
  const desc = e['description'];
  return {
    id,
    type,
    fake: e['fake'] === true,
    lagProtocol: typeof proto === 'string' ? clip(proto, 32) : null,
    lagPorts: ports.filter((p): p is string => typeof p === 'string' && p.length <= 32).slice(0, 64),
    // Top-level aliases are the DB config; state.aliases is the kernel. The difference is the pending change.
    aliases: (Array.isArray(e['aliases']) ? e['aliases'] : []).map(aliasText).filter((x): x is string => x !== null).slice(0, 256),
    description: typeof desc === 'string' ? clip(desc, 200) : '',
    ...(typeof e['ipv4_dhcp'] === 'boolean' ? { ipv4Dhcp: e['ipv4_dhcp'] } : {}),
  };
}

/** The first three `nameserver` lines that hold an IP address; anything else in the file is ignored. */
export function parseNameservers(content: string): string[] {
  const out: string[] = [];
  for (const line of content.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)\s*$/.exec(line);
    const ip = m?.[1];
    if (ip !== undefined && ip.length <= 45 && ipFamily(ip) !== null && out.length < 3) out.push(ip);
  }
  return out;
}

/**
 * The middleware view, or null when interface.query gave nothing usable (no rights, middleware down).
 * `fallbackVersion` is /etc/version, used when system.version_short failed.
 */
export function parseMiddleware(s: MiddlewareSections, fallbackVersion: string | null): { view: MiddlewareView | null; warnings: string[] } {
  const warnings: string[] = [];
  const query = s.query === undefined || failed(s.query) ? undefined : extractJson(s.query.content);
  if (!Array.isArray(query)) {
    warnings.push(`TrueNAS middleware: interface.query failed: ${why(s.query)}. The middleware's own view (pending changes) is not shown.`);
    return { view: null, warnings };
  }
  const interfaces: MiddlewareView['interfaces'] = [];
  let skipped = 0;
  for (const e of query) {
    const entry = entryOf(e);
    if (entry === null) skipped++;
    else if (interfaces.length < 512) interfaces.push(entry);
  }
  if (skipped > 0) warnings.push(`TrueNAS middleware: ${skipped} interface.query entr${skipped === 1 ? 'y was' : 'ies were'} unreadable and skipped.`);

  let version = failed(s.version) ? null : parseMidcltString(s.version?.content ?? '');
  if (version === null) {
    version = fallbackVersion;
    warnings.push(`TrueNAS middleware: system.version_short failed: ${why(s.version)}.`);
  }
  const pending = failed(s.pending) ? null : parseMidcltBool(s.pending?.content ?? '');
  if (pending === null) warnings.push(`TrueNAS middleware: interface.has_pending_changes failed: ${why(s.pending)}; pending changes are not known.`);
  let checkin: number | null = null;
  if (pending === true || s.checkin !== undefined) {
    const parsed = failed(s.checkin) ? undefined : parseMidcltSeconds(s.checkin?.content ?? '');
    if (parsed === undefined) warnings.push(`TrueNAS middleware: interface.checkin_waiting failed: ${why(s.checkin)}.`);
    else checkin = parsed;
  }
  return {
    view: {
      version: clip(version ?? 'unknown', 64),
      pendingChanges: pending ?? false,
      checkinWaitingSeconds: checkin,
      interfaces,
      nameservers: s.resolv === undefined || failed(s.resolv) ? [] : parseNameservers(s.resolv.content),
    },
    warnings,
  };
}
