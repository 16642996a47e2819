import type { BondStatus, ConnectionState, Diagnosis, DiscoveryResult, Host } from '../../../../preload/contract';

// What the fleet overview and the sidebar say about each host and bond, from the session state and
// the latest discovery: pure, so the overview re-derives a row only when that host's data changed.

export type HealthLevel = 'ok' | 'info' | 'warning' | 'error' | 'unknown';

/** LACP as the overview names it; null for bonds that are not LACP. */
export type LacpSummary = 'negotiated' | 'partner missing' | 'split aggregators' | 'details hidden' | 'not aggregating';

export interface BondRow {
  readonly name: string;
  readonly protocol: string;
  readonly membersUp: number;
  readonly membersTotal: number;
  readonly lacp: LacpSummary | null;
  /** The most severe diagnosis, or null when the bond is healthy. */
  readonly worst: Diagnosis | null;
  readonly level: HealthLevel;
}

export interface HostRow {
  readonly host: Host;
  readonly connection: ConnectionState['state'];
  /** "TrueNAS SCALE 25.04.2.6", "Debian GNU/Linux 12": what the box is; null before discovery. */
  readonly flavor: string | null;
  readonly stack: string | null;
  readonly bonds: readonly BondRow[];
  readonly level: HealthLevel;
  /** The host's health in a sentence, for the sidebar (the worst diagnosis in full). */
  readonly summary: string;
  /** The same in a few words, for the overview's Health column: the bond's own diagnosis sits beside it there. */
  readonly headline: string;
  /** Can Bondsmith change it (a driver manages it)? */
  readonly readOnlyReason: string | null;
}

const RANK: Readonly<Record<HealthLevel, number>> = { error: 4, warning: 3, unknown: 2, info: 1, ok: 0 };
export const levelRank = (level: HealthLevel): number => RANK[level];

const PROTOCOL_WORDS: Readonly<Record<string, string>> = { LACP: 'LACP', FAILOVER: 'FAILOVER', LOADBALANCE: 'LOADBALANCE' };

function lacpSummary(bond: BondStatus): LacpSummary | null {
  if (bond.mode !== '802.3ad') return null;
  const codes = new Set(bond.diagnosis.map((d) => d.code));
  if (codes.has('lacp-split-aggregators')) return 'split aggregators';
  if (codes.has('lacp-no-partner') || codes.has('lacp-member-no-partner') || codes.has('lacp-partner-defaulted') || codes.has('lacp-partner-expired')) return 'partner missing';
  if (codes.has('lacp-details-hidden')) return 'details hidden';
  return codes.has('lacp-ok') ? 'negotiated' : 'not aggregating';
}

export function bondRow(bond: BondStatus): BondRow {
  const worst = [...bond.diagnosis].sort((a, b) => RANK[b.severity] - RANK[a.severity])[0] ?? null;
  const bad = worst !== null && (worst.severity === 'error' || worst.severity === 'warning') ? worst : null;
  return {
    name: bond.name,
    protocol: bond.protocol ? (PROTOCOL_WORDS[bond.protocol] ?? bond.protocol) : bond.mode,
    membersUp: bond.members.filter((m) => m.miiStatus === 'up').length,
    membersTotal: bond.members.length,
    lacp: lacpSummary(bond),
    worst: bad,
    level: bad ? bad.severity : 'ok',
  };
}

export function hostRow(host: Host, state: ConnectionState | undefined, result: DiscoveryResult | undefined): HostRow {
  const connection = state?.state ?? 'idle';
  const facts = result?.facts ?? null;
  const bonds = facts ? facts.bonds.map(bondRow) : [];
  const flavor = facts ? (facts.os.truenasVersion ? `TrueNAS ${facts.os.truenasVersion}` : facts.os.pretty || facts.os.kind) : null;
  const base = { host, connection, flavor, stack: result?.view?.stack ?? null, bonds, readOnlyReason: result?.view?.readOnlyReason ?? null };
  const row = (level: HealthLevel, summary: string, headline = summary): HostRow => ({ ...base, level, summary, headline });
  if (connection === 'failed') return row('error', `Unreachable: ${state?.reason?.message ?? 'the connection failed'}`);
  if (connection === 'awaiting-trust') return row('warning', 'Host key to confirm');
  if (connection !== 'ready' && !facts) return row('unknown', connection === 'idle' ? 'Not connected' : 'Connecting…');
  if (result?.error) return row('warning', `Discovery failed: ${result.error.message}`);
  if (!facts) return row('unknown', 'Not read yet');
  const worst = bonds.reduce<BondRow | null>((acc, b) => (acc === null || RANK[b.level] > RANK[acc.level] ? b : acc), null);
  if (worst && (worst.level === 'error' || worst.level === 'warning')) {
    const count = bonds.filter((b) => b.level === 'error' || b.level === 'warning').length;
    const more = count > 1 ? ` (+${count - 1} more)` : '';
    return row(worst.level, `${worst.name}: ${worst.worst?.message ?? 'needs a look'}${more}`, `${worst.level === 'error' ? 'Problem' : 'Warning'} on ${worst.name}${more}`);
  }
  const pending = result?.view?.pending.length ?? 0;
  if (pending > 0) return row('warning', 'A change waits on the box for Keep or Revert');
  const stale = connection !== 'ready' ? ' (last known; not connected)' : '';
  return row('ok', bonds.length === 0 ? `No bonds${stale}` : `${bonds.length} bond${bonds.length === 1 ? '' : 's'} healthy${stale}`);
}

export type ProblemFilter = 'all' | 'problems' | 'unreachable' | 'lacp';
export type SortKey = 'name' | 'health' | 'bonds';

export function matchesProblem(row: HostRow, filter: ProblemFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'problems':
      return row.level === 'error' || row.level === 'warning';
    case 'unreachable':
      return row.connection === 'failed' || row.connection === 'awaiting-trust';
    case 'lacp':
      return row.bonds.some((b) => b.lacp !== null && b.lacp !== 'negotiated');
  }
}

export function sortRows(rows: readonly HostRow[], key: SortKey): HostRow[] {
  const byName = (a: HostRow, b: HostRow): number => a.host.label.localeCompare(b.host.label);
  const out = [...rows];
  switch (key) {
    case 'name':
      return out.sort(byName);
    case 'health':
      return out.sort((a, b) => RANK[b.level] - RANK[a.level] || byName(a, b));
    case 'bonds':
      return out.sort((a, b) => b.bonds.length - a.bonds.length || byName(a, b));
  }
}
