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

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export const aliasSchema = z.object({
  address: z.string().max(64),
  prefix: z.number().int(),
});
export type BondAlias = z.infer<typeof aliasSchema>;

export const bondSpecSchema = z
  .object({
    name: bondNameSchema,
    description: z
      .string()
      .max(DESCRIPTION_MAX, `Description has at most ${DESCRIPTION_MAX} characters`)
      // Control characters (newlines, tabs, escapes) would corrupt config files and one-line logs.
      .refine((s) => !hasControlCharacter(s), 'Description must be a single line without control characters'),
    protocol: protocolSchema,
    xmitHashPolicy: xmitHashPolicySchema.nullable(),
    lacpduRate: lacpduRateSchema.nullable(),
    members: z.array(ifaceNameSchema).max(16, 'At most 16 members'),
    aliases: z.array(aliasSchema).max(64, 'At most 64 addresses'),
    dhcp: z.boolean(),
    mtu: z.number().int('MTU must be a whole number').nullable(),
  })
  .superRefine((spec, ctx) => {
    if (spec.members.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['members'], message: 'Choose at least one member interface' });
    }
    const seen = new Set<string>();
    spec.members.forEach((m, i) => {
      if (seen.has(m)) ctx.addIssue({ code: 'custom', path: ['members', i], message: `${m} is listed twice` });
      seen.add(m);
      if (m === spec.name) ctx.addIssue({ code: 'custom', path: ['members', i], message: 'A bond cannot be its own member' });
    });
    if (spec.xmitHashPolicy !== null && spec.protocol === 'FAILOVER') {
      ctx.addIssue({ code: 'custom', path: ['xmitHashPolicy'], message: 'Transmit hash policy applies to LACP and LOADBALANCE only' });
    }
    if (spec.lacpduRate !== null && spec.protocol !== 'LACP') {
      ctx.addIssue({ code: 'custom', path: ['lacpduRate'], message: 'LACPDU rate applies to LACP only' });
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
  return {
    name,
    description: '',
    protocol: 'LACP',
    xmitHashPolicy: 'LAYER2+3',
    lacpduRate: 'SLOW',
    members: [],
    aliases: [],
    dhcp: false,
    mtu: null,
  };
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
});
export type EligibleMember = z.infer<typeof eligibleMemberSchema>;
