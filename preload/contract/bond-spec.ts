import { z } from 'zod';
import { ifaceNameSchema } from './common';
import { canonicalIp, ipFamily } from './ip';

// The bond editor's fields (DESIGN.md "The editor"), as one schema used by the renderer's form and
// again by main before anything is planned. Host-dependent rules (name taken, member eligibility,
// overlap with other interfaces) are checked by the planner against the host's inventory.

export const protocolSchema = z.enum(['LACP', 'FAILOVER', 'LOADBALANCE']);
export type BondProtocol = z.infer<typeof protocolSchema>;
export const xmitHashPolicySchema = z.enum(['LAYER2', 'LAYER2+3', 'LAYER3+4']);
export type XmitHashPolicy = z.infer<typeof xmitHashPolicySchema>;
export const lacpduRateSchema = z.enum(['SLOW', 'FAST']);
export type LacpduRate = z.infer<typeof lacpduRateSchema>;

export const PROTOCOL_TO_MODE = { LACP: '802.3ad', FAILOVER: 'active-backup', LOADBALANCE: 'balance-xor' } as const;
export const DESCRIPTION_MAX = 120;

export const bondNameSchema = z
  .string()
  .regex(/^bond[0-9]{1,4}$/, 'Name must be "bond" followed by a number, for example bond0');

// Control characters (C0 and C1: newlines, tabs, terminal escapes) and the line and paragraph
// separators break config files and one-line logs. Format characters (Unicode category Cf: bidi
// overrides and isolates, zero-width spaces and joiners, the BOM, soft hyphens) are invisible or
// reorder what is shown, so a description could read differently from what it is (CVE-2021-42574).
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]/u;
const INVISIBLE = /\p{Cf}/u;

function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function checkDescriptionCharacters(text: string, ctx: z.RefinementCtx): void {
  if (LINE_BREAKING.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'Description must be a single line without control characters' });
    return;
  }
  const invisible = INVISIBLE.exec(text);
  if (invisible) {
    ctx.addIssue({ code: 'custom', message: `Description must not contain invisible or text-direction characters (${codePointName(invisible[0])})` });
  }
}

export const aliasSchema = z.object({
  address: z.string().max(64),
  prefix: z.number().int(),
});
export type BondAlias = z.infer<typeof aliasSchema>;

/**
 * The one table of bond fields. The spec schema, the editor, every driver's payload or config
 * writer, the verifiers and the readers of an existing bond all derive from it: each of those keeps
 * a `{ [K in BondFieldKey]: ... }` map, so a new entry here makes the compiler point at every place
 * that must say what to do with it. `protocols` lists the protocols a field applies to (null: all);
 * where it does not apply the field's value is `null`. The order is the editor's. `label` is the editor's, `noun` the one
 * used in sentences and check names. `initial` is the seed screen's starting value.
 */
export const BOND_FIELDS = {
  name: { label: 'Name', noun: 'Name', protocols: null, schema: bondNameSchema, initial: 'bond0' },
  description: {
    label: 'Description',
    noun: 'Description',
    protocols: null,
    schema: z
      .string()
      .max(DESCRIPTION_MAX, `Description has at most ${DESCRIPTION_MAX} characters`)
      .superRefine(checkDescriptionCharacters),
    initial: '',
  },
  protocol: { label: 'Link Aggregation Protocol', noun: 'Protocol', protocols: null, schema: protocolSchema, initial: 'LACP' },
  xmitHashPolicy: { label: 'Transmit Hash Policy', noun: 'Transmit hash policy', protocols: ['LACP', 'LOADBALANCE'], schema: xmitHashPolicySchema.nullable(), initial: 'LAYER2+3' },
  lacpduRate: { label: 'LACPDU Rate', noun: 'LACPDU rate', protocols: ['LACP'], schema: lacpduRateSchema.nullable(), initial: 'SLOW' },
  mtu: { label: 'MTU', noun: 'MTU', protocols: null, schema: z.number().int('MTU must be a whole number').nullable(), initial: null as number | null },
  members: { label: 'Interfaces', noun: 'Members', protocols: null, schema: z.array(ifaceNameSchema).max(16, 'At most 16 members'), initial: [] as string[] },
  dhcp: { label: 'DHCP', noun: 'DHCP', protocols: null, schema: z.boolean(), initial: false },
  aliases: { label: 'IP Addresses', noun: 'Addresses', protocols: null, schema: z.array(aliasSchema).max(64, 'At most 64 addresses'), initial: [] as BondAlias[] },
} as const satisfies Record<string, { label: string; noun: string; protocols: readonly BondProtocol[] | null; schema: z.ZodType; initial: unknown }>;

export type BondFieldKey = keyof typeof BOND_FIELDS;
export const BOND_FIELD_KEYS = Object.keys(BOND_FIELDS) as BondFieldKey[];

/** Does the field apply to bonds of this protocol? */
export function fieldApplies(field: BondFieldKey, protocol: BondProtocol): boolean {
  const protocols: readonly BondProtocol[] | null = BOND_FIELDS[field].protocols;
  return protocols === null || protocols.includes(protocol);
}

function protocolNames(protocols: readonly BondProtocol[]): string {
  return protocols.length === 1 ? `${protocols[0] ?? ''} only` : `${protocols.slice(0, -1).join(', ')} and ${protocols[protocols.length - 1] ?? ''} only`;
}

type ShapeOf<T extends Record<string, { schema: z.ZodType }>> = { [K in keyof T]: T[K]['schema'] };
const specShape = Object.fromEntries(BOND_FIELD_KEYS.map((k) => [k, BOND_FIELDS[k].schema])) as unknown as ShapeOf<typeof BOND_FIELDS>;

/** The spec's fields without the editor's rules: what a bond on a box has, which may break them. */
export const bondSpecShapeSchema = z.object(specShape);

export const bondSpecSchema = bondSpecShapeSchema.superRefine((spec, ctx) => {
  if (spec.members.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['members'], message: 'Choose at least one member interface' });
  }
  const seen = new Set<string>();
  spec.members.forEach((m, i) => {
    if (seen.has(m)) ctx.addIssue({ code: 'custom', path: ['members', i], message: `${m} is listed twice` });
    seen.add(m);
    if (m === spec.name) ctx.addIssue({ code: 'custom', path: ['members', i], message: 'A bond cannot be its own member' });
  });
  for (const key of BOND_FIELD_KEYS) {
    const protocols: readonly BondProtocol[] | null = BOND_FIELDS[key].protocols;
    if (protocols !== null && !protocols.includes(spec.protocol) && spec[key] !== null) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${BOND_FIELDS[key].noun} applies to ${protocolNames(protocols)}` });
    }
  }
  if (spec.mtu !== null && (spec.mtu < 68 || spec.mtu > 9216)) {
    ctx.addIssue({ code: 'custom', path: ['mtu'], message: 'MTU must be between 68 and 9216' });
  }
  const addresses = new Set<string>();
  spec.aliases.forEach((alias, i) => {
    const family = ipFamily(alias.address);
    if (!family) {
      ctx.addIssue({ code: 'custom', path: ['aliases', i, 'address'], message: `"${alias.address}" is not an IPv4 or IPv6 address` });
      return;
    }
    const max = family === 'inet' ? 32 : 128;
    if (alias.prefix < 1 || alias.prefix > max) {
      ctx.addIssue({ code: 'custom', path: ['aliases', i, 'prefix'], message: `Prefix length must be between 1 and ${max}` });
    }
    const key = canonicalIp(alias.address) ?? alias.address;
    if (addresses.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['aliases', i, 'address'], message: `${alias.address} is listed twice` });
    }
    addresses.add(key);
  });
});
export type BondSpec = z.infer<typeof bondSpecSchema>;

/** Sensible defaults for a new bond, as the seed's screen starts (LAYER2+3, SLOW). */
export function defaultBondSpec(name = 'bond0'): BondSpec {
  const spec = Object.fromEntries(BOND_FIELD_KEYS.map((k) => [k, structuredClone(BOND_FIELDS[k].initial)])) as BondSpec;
  return { ...spec, name };
}

/** The spec with every field that does not apply to its protocol set to null (e.g. after a protocol change). */
export function withApplicableFields(spec: BondSpec): BondSpec {
  const out: Record<string, unknown> = { ...spec };
  for (const key of BOND_FIELD_KEYS) if (!fieldApplies(key, spec.protocol)) out[key] = null;
  return out as BondSpec;
}

/** zod issue path -> the editor's field key, e.g. ['aliases', 0, 'address'] -> 'aliases.0.address'. */
export function fieldKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** A port the editor may offer as a member, with the marks that trigger the safety steps. */
export const eligibleMemberSchema = z.object({
  name: ifaceNameSchema,
  speedMbps: z.number().int().nullable(),
  link: z.enum(['up', 'down', 'unknown']),
  carriesAddresses: z.array(z.string().max(64)).max(64),
  carriesManagement: z.boolean(),
  eligible: z.boolean(),
  reason: z.string().max(300).nullable(),
  /** What the port's own configuration on the box holds, where it must be reset for the port to join (TrueNAS 23.10.2+); null: nothing to reset. */
  ownConfiguration: z.string().max(300).nullable().optional(),
});
export type EligibleMember = z.infer<typeof eligibleMemberSchema>;
