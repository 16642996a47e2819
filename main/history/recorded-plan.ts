import { z } from 'zod';
import { driverKindSchema } from '../../preload/contract/host-view';
import type { Plan } from '../plan/plan-types';

// The plan an audit entry carries, read back for showing and for the plan-as-script export. The log
// is a file in the data directory (input like any other): a plan comes back only in the shape
// Bondsmith writes, strings and lists bounded, or not at all. Nothing read here is ever run.

const text = (max: number) => z.string().max(max);
const pattern = text(1000);

const checkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exit-zero') }),
  z.object({ kind: z.literal('stdout-equals'), value: text(1000) }),
  z.object({ kind: z.literal('stdout-matches'), pattern }),
  z.object({ kind: z.literal('poll'), until: pattern, failIf: pattern.nullable(), intervalSeconds: z.number(), timeoutSeconds: z.number() }),
  z.object({ kind: z.literal('verify-state') }),
  z.object({ kind: z.literal('report') }),
]);

const stepSchema = z.object({
  id: text(64),
  title: text(300),
  kind: z.enum(['remote-command', 'file-write', 'midclt']),
  command: text(100_000),
  detail: text(100_000).nullable(),
  phase: z.enum(['prepare', 'arm', 'apply', 'verify', 'confirm', 'rollback']),
  check: checkSchema,
  onFailure: z.enum(['stop', 'rollback', 'continue']),
  when: z.object({ stepId: text(64), stdoutMatches: pattern }).nullable(),
  connection: z.enum(['current', 'fresh']),
});

const recordedPlanSchema = z.object({
  hostId: text(64),
  runId: text(64),
  driver: driverKindSchema,
  action: z.enum(['create', 'update', 'delete']),
  bondName: text(32),
  steps: z.array(stepSchema).max(200),
  impact: z.object({
    addressesRemoved: z.array(text(64)).max(256),
    managementAffected: z.boolean(),
    managementMigration: z.object({ fromNic: text(32), toBond: text(32), address: text(64) }).nullable(),
    gatewayAtRisk: z.boolean(),
    servicesRestartedStepId: text(64).nullable(),
    membersReconfigured: z.array(text(32)).max(64),
  }),
  warnings: z.array(text(2000)).max(64),
  checkinTimeoutSeconds: z.number().int(),
  verify: z.object({}).passthrough(),
  rollbackScript: text(1_000_000).nullable(),
});

/** The entry's plan, or null when the line holds none in Bondsmith's shape. */
export function recordedPlan(value: unknown): Plan | null {
  const parsed = recordedPlanSchema.safeParse(value);
  // `verify` is kept as recorded; the script and the view never read it.
  return parsed.success ? (parsed.data as unknown as Plan) : null;
}
