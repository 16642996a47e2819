import { z } from 'zod';
import { ifaceNameSchema } from './common';
import { lacpduRateSchema, protocolSchema } from './bond-spec';

// What discovery learns about a host: the typed inventory the UI shows and the planner reads.
// Produced in main by parsing remote output; never trusted from the renderer.

const macSchema = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'MAC address');

export const addressSchema = z.object({
  family: z.enum(['inet', 'inet6']),
  address: z.string().max(64),
  prefix: z.number().int().min(0).max(128),
  scope: z.string().max(32),
  /** The kernel holds it with a lifetime (a DHCP lease, SLAAC): a client put it there, not the configuration. */
  dynamic: z.boolean().optional(),
});
export type InterfaceAddress = z.infer<typeof addressSchema>;

export const interfaceKindSchema = z.enum(['physical', 'bond', 'vlan', 'bridge', 'loopback', 'virtual', 'other']);
export type InterfaceKind = z.infer<typeof interfaceKindSchema>;

export const interfaceSchema = z.object({
  name: ifaceNameSchema,
  kind: interfaceKindSchema,
  mac: macSchema.nullable(),
  mtu: z.number().int().nullable(),
  /** Kernel operstate, lower-cased: up, down, lowerlayerdown, dormant, unknown, ... */
  operState: z.string().max(32),
  carrier: z.boolean().nullable(),
  speedMbps: z.number().int().nullable(),
  master: ifaceNameSchema.nullable(),
  vlanParent: ifaceNameSchema.nullable(),
  addresses: z.array(addressSchema).max(256),
  /** Carries the SSH session Bondsmith is using ($SSH_CONNECTION's server address). */
  isManagement: z.boolean(),
  description: z.string().max(200).nullable(),
});
export type NetInterface = z.infer<typeof interfaceSchema>;

/** One side of an 802.3ad port's LACP details as /proc/net/bonding prints them. */
export const lacpPortInfoSchema = z.object({
  systemPriority: z.number().int(),
  systemMac: macSchema,
  key: z.number().int(),
  portPriority: z.number().int(),
  portNumber: z.number().int(),
  /** Raw state byte (IEEE 802.1AX actor/partner state). */
  state: z.number().int().min(0).max(255),
  /** Decoded bits set in `state`: lacp_activity, lacp_timeout_short, aggregation, synchronization, collecting, distributing, defaulted, expired. */
  stateFlags: z.array(z.string().max(32)).max(8),
});
export type LacpPortInfo = z.infer<typeof lacpPortInfoSchema>;

export const bondMemberSchema = z.object({
  name: ifaceNameSchema,
  miiStatus: z.enum(['up', 'down', 'going down', 'going back', 'unknown']),
  speedMbps: z.number().int().nullable(),
  duplex: z.string().max(16).nullable(),
  linkFailureCount: z.number().int().nullable(),
  permanentMac: macSchema.nullable(),
  aggregatorId: z.number().int().nullable(),
  actorChurnState: z.string().max(32).nullable(),
  partnerChurnState: z.string().max(32).nullable(),
  actorChurnedCount: z.number().int().nullable(),
  partnerChurnedCount: z.number().int().nullable(),
  actor: lacpPortInfoSchema.nullable(),
  partner: lacpPortInfoSchema.nullable(),
});
export type BondMember = z.infer<typeof bondMemberSchema>;

export const bondModeSchema = z.enum([
  'balance-rr',
  'active-backup',
  'balance-xor',
  'broadcast',
  '802.3ad',
  'balance-tlb',
  'balance-alb',
]);
export type BondMode = z.infer<typeof bondModeSchema>;

export const diagnosisSchema = z.object({
  severity: z.enum(['ok', 'info', 'warning', 'error']),
  code: z.string().max(64),
  message: z.string().max(1000),
  member: ifaceNameSchema.nullable(),
});
export type Diagnosis = z.infer<typeof diagnosisSchema>;

export const bondStatusSchema = z.object({
  name: ifaceNameSchema,
  mode: bondModeSchema,
  /** The product's protocol name for the mode, or null for modes Bondsmith does not create. */
  protocol: protocolSchema.nullable(),
  /** The kernel's own words (e.g. "layer2+3 (2)"): it may name policies the editor does not offer. */
  xmitHashPolicy: z.string().max(32).nullable(),
  lacpduRate: lacpduRateSchema.nullable(),
  miimonMs: z.number().int().nullable(),
  updelayMs: z.number().int().nullable(),
  downdelayMs: z.number().int().nullable(),
  primary: ifaceNameSchema.nullable(),
  activeMember: ifaceNameSchema.nullable(),
  miiStatus: z.enum(['up', 'down', 'unknown']),
  lacp: z
    .object({
      systemMac: macSchema.nullable(),
      systemPriority: z.number().int().nullable(),
      activeAggregator: z
        .object({
          id: z.number().int(),
          ports: z.number().int(),
          actorKey: z.number().int(),
          partnerKey: z.number().int(),
          partnerMac: macSchema,
        })
        .nullable(),
    })
    .nullable(),
  members: z.array(bondMemberSchema).max(64),
  diagnosis: z.array(diagnosisSchema).max(64),
});
export type BondStatus = z.infer<typeof bondStatusSchema>;

export const routeSchema = z.object({
  family: z.enum(['inet', 'inet6']),
  gateway: z.string().max(64),
  dev: ifaceNameSchema,
});

/** The TrueNAS middleware's own view (interface.query), so pending uncommitted changes show. */
export const middlewareViewSchema = z.object({
  version: z.string().max(64),
  pendingChanges: z.boolean(),
  checkinWaitingSeconds: z.number().int().nullable(),
  interfaces: z
    .array(
      z.object({
        id: z.string().max(32),
        type: z.string().max(32),
        fake: z.boolean(),
        lagProtocol: z.string().max(32).nullable(),
        lagPorts: z.array(z.string().max(32)).max(64),
        aliases: z.array(z.string().max(64)).max(256),
        description: z.string().max(200),
        /** `ipv4_dhcp` of the entry (its DB config). */
        ipv4Dhcp: z.boolean().optional(),
      }),
    )
    .max(512),
  /** The DNS servers the box uses now (its resolv.conf), which a first configuration can drop (§5.8). */
  nameservers: z.array(z.string().max(64)).max(3).optional(),
});
export type MiddlewareView = z.infer<typeof middlewareViewSchema>;

/** Who manages the host's network, and whether its kernel can build bonds (discovery's `stack` section). */
export const networkStackSchema = z.object({
  manager: z.enum(['truenas-middleware', 'netplan', 'networkmanager', 'systemd-networkd', 'ifupdown', 'unknown']),
  /** NetworkManager's version, where it runs. */
  version: z.string().max(64).nullable(),
  /** netplan's renderer (networkd or NetworkManager), where netplan is in charge. */
  renderer: z.string().max(64).nullable(),
  /** NetworkManager: the devices it manages (any state but "unmanaged"). */
  managedDevices: z.array(ifaceNameSchema).max(512),
  /** NetworkManager: checkpoints armed right now (D-Bus object paths): a change waits for confirmation. */
  checkpoints: z.array(z.string().regex(/^\/org\/freedesktop\/NetworkManager\/Checkpoint\/[0-9]{1,9}$/)).max(16).optional(),
  /** ifupdown: interfaces its configuration brings up on DHCP (`iface X inet dhcp`). */
  dhcpInterfaces: z.array(ifaceNameSchema).max(512).optional(),
  /**
   * NetworkManager runs ifupdown's hooks (Debian's dispatcher script 01-ifupdown) and ifenslave's
   * post-down hook is installed: it deletes a bond each time NM takes it down.
   */
  ifupdownHooks: z.boolean().optional(),
  /** loaded or builtin: bonds can be built now; loadable: the module is there; missing: this kernel cannot build bonds. */
  bonding: z.enum(['loaded', 'builtin', 'loadable', 'missing', 'unknown']),
});
export type NetworkStack = z.infer<typeof networkStackSchema>;

export const hostFactsSchema = z.object({
  collectedAt: z.string().max(64),
  hostname: z.string().max(255),
  os: z.object({
    kind: z.enum(['truenas', 'linux']),
    pretty: z.string().max(200),
    kernel: z.string().max(200),
    truenasVersion: z.string().max(64).nullable(),
  }),
  interfaces: z.array(interfaceSchema).max(512),
  bonds: z.array(bondStatusSchema).max(128),
  defaultRoutes: z.array(routeSchema).max(16),
  management: z.object({
    nic: ifaceNameSchema.nullable(),
    address: z.string().max(64).nullable(),
    clientAddress: z.string().max(64).nullable(),
  }),
  middleware: middlewareViewSchema.nullable(),
  stack: networkStackSchema,
  /** Linux: Bondsmith changes armed on the host and waiting for confirmation (run id, time left). */
  pendingRuns: z
    .array(z.object({ runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), secondsLeft: z.number().int().nullable() }))
    .max(16)
    .optional(),
  /** Things discovery could not parse, in plain words (the rest of the inventory is still valid). */
  warnings: z.array(z.string().max(1000)).max(64),
});
export type HostFacts = z.infer<typeof hostFactsSchema>;
