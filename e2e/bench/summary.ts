import { writeFileSync } from 'node:fs';
import { z } from 'zod';

// The one-line figures each benchmark script hands to `run-all.ts` (its `--summary FILE`), which
// prints them as one table. A row may carry its anchor (the figure it is compared with) and the
// issue's target for the ratio.

export const summaryRowSchema = z.object({
  phase: z.string(),
  row: z.string(),
  value: z.number(),
  unit: z.string(),
  includes: z.string(),
  /** The figure this one is divided by, e.g. OpenSSH's time on the same hosts. */
  anchor: z.object({ row: z.string(), value: z.number() }).optional(),
  /** The target for value / anchor.value (or for value, without an anchor), in words: "<= 0.3". */
  target: z.string().optional(),
});
export type SummaryRow = z.infer<typeof summaryRowSchema>;

export function writeSummary(path: string, rows: readonly SummaryRow[]): void {
  writeFileSync(path, `${JSON.stringify(rows.map((r) => summaryRowSchema.parse(r)))}\n`);
}

export function readSummary(text: string): SummaryRow[] {
  return z.array(summaryRowSchema).parse(JSON.parse(text));
}

/** Whether `x` meets a target written as "<= 0.3" or ">= 2". */
export function meets(x: number, target: string): boolean | null {
  const m = /^(<=|>=)\s*([0-9.]+)$/.exec(target.trim());
  if (!m || !Number.isFinite(x)) return null;
  return m[1] === '<=' ? x <= Number(m[2]) : x >= Number(m[2]);
}
