import { z } from 'zod';

// NetworkManager's connection profiles as the driver reads them before planning (readExtras): one
// `nmcli -t -f ... connection show <uuid>` per profile. nmcli's terse output escapes ':' and '\' in
// values with a backslash. What the box prints is hostile until parsed: every field is bounded here.

export const PROFILE_FIELDS = [
  'connection.id',
  'connection.uuid',
  'connection.type',
  'connection.interface-name',
  'connection.master',
  'connection.slave-type',
  'GENERAL.STATE',
] as const;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const profileSchema = z.object({
  id: z.string().min(1).max(255),
  uuid: z.string().regex(UUID),
  /** nmcli's setting name: bond, 802-3-ethernet, loopback, vlan, ... */
  type: z.string().max(64),
  iface: z.string().max(64).nullable(),
  /** The controller's interface name or UUID, for a port profile. */
  master: z.string().max(255).nullable(),
  slaveType: z.string().max(32).nullable(),
  /** Active right now (activated or activating). */
  active: z.boolean(),
});
export type NmProfile = z.infer<typeof profileSchema>;

/** What the NetworkManager driver reads beyond discovery. */
export interface NmExtras {
  readonly profiles: readonly NmProfile[];
}

const END = '--bondsmith-profile--';

/** The remote command that lists every profile (a constant: nothing from the user or the box in it). */
export const PROFILES_COMMAND = `nmcli -g UUID connection show </dev/null | while IFS= read -r u; do nmcli -t -f ${PROFILE_FIELDS.join(',')} connection show uuid "$u" </dev/null; echo ${END}; done`;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Profiles from PROFILES_COMMAND's output; a block that does not parse is left out and named. */
export function parseProfiles(stdout: string): { profiles: NmProfile[]; skipped: number } {
  const profiles: NmProfile[] = [];
  let skipped = 0;
  for (const block of stdout.split(`${END}\n`).slice(0, 512)) {
    if (block.trim() === '') continue;
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields.set(line.slice(0, i), unescape(line.slice(i + 1)));
    }
    const orNull = (k: string): string | null => {
      const v = fields.get(k) ?? '';
      return v === '' || v === '--' ? null : v;
    };
    const parsed = profileSchema.safeParse({
      id: fields.get('connection.id'),
      uuid: fields.get('connection.uuid'),
      type: fields.get('connection.type') ?? '',
      iface: orNull('connection.interface-name'),
      master: orNull('connection.master'),
      slaveType: orNull('connection.slave-type'),
      active: /^(activated|activating)$/.test(fields.get('GENERAL.STATE') ?? ''),
    });
    if (parsed.success) profiles.push(parsed.data);
    else skipped++;
  }
  return { profiles, skipped };
}

/** The bond's own profile: type bond, for that interface name. */
export function bondProfiles(profiles: readonly NmProfile[], bondName: string): NmProfile[] {
  return profiles.filter((p) => p.type === 'bond' && (p.iface === bondName || (p.iface === null && p.id === bondName)));
}

/** Port profiles of the bond (their controller named by interface name or by a bond profile's UUID). */
export function portProfiles(profiles: readonly NmProfile[], bondName: string): NmProfile[] {
  const controllers = new Set([bondName, ...bondProfiles(profiles, bondName).map((p) => p.uuid)]);
  return profiles.filter((p) => p.slaveType === 'bond' && p.master !== null && controllers.has(p.master));
}

/** Profiles bound to `iface` that are not ports of `bondName` (they would fight over the device). */
export function otherProfilesOf(profiles: readonly NmProfile[], iface: string, bondName: string): NmProfile[] {
  const ports = new Set(portProfiles(profiles, bondName).map((p) => p.uuid));
  return profiles.filter((p) => p.iface === iface && !ports.has(p.uuid) && p.type !== 'bond');
}
