// TrueNAS release numbers (system.version_short, e.g. "25.04.2.6") and the behaviour switches the
// planner needs (reference/truenas-middleware.md §7).

export type TruenasVersion = readonly number[];

/** Parses "25.10.2.2", "TrueNAS-SCALE-24.04.2.5" or "25.10-BETA.1"; null when no release number is found. */
export function parseTruenasVersion(text: string | null | undefined): TruenasVersion | null {
  if (!text) return null;
  const match = /(\d{2})\.(\d{1,2})((?:\.\d+)*)/.exec(text);
  if (!match) return null;
  const rest = (match[3] ?? '').split('.').filter((p) => p !== '').map(Number);
  return [Number(match[1]), Number(match[2]), ...rest];
}

/** Negative when a < b, 0 when equal (missing parts count as 0), positive when a > b. */
export function compareVersions(a: TruenasVersion, b: TruenasVersion): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function atLeast(v: TruenasVersion, ...min: number[]): boolean {
  return compareVersions(v, min) >= 0;
}

export interface TruenasBehaviour {
  /** 23.10.2+: a port with its own interfaces-table row is refused as a member ("currently in use"). */
  readonly rejectsConfiguredMembers: boolean;
  /** 25.10+: network_config_to_be_removed / save_network_config replace the default-route pair. */
  readonly networkConfigCalls: boolean;
  /** 25.10.2.2+ forces miimon=100; before, FAILOVER and LOADBALANCE bonds have no link monitoring. */
  readonly forcesMiimon: boolean;
}

export function truenasBehaviour(v: TruenasVersion): TruenasBehaviour {
  return {
    rejectsConfiguredMembers: atLeast(v, 23, 10, 2),
    networkConfigCalls: atLeast(v, 25, 10),
    forcesMiimon: atLeast(v, 25, 10, 2, 2),
  };
}

export function formatVersion(v: TruenasVersion): string {
  return v.join('.');
}
