import type { AuditEntry, AuditSummary } from '../../preload/contract/audit';
import type { HistoryEntryView } from '../../preload/contract/history';
import { diffRecordedBond } from './bond-diff';
import { recordedBond } from './recorded-bond';
import { recordedPlan } from './recorded-plan';

type EntrySummary = Extract<AuditSummary, { kind: 'entry' }>;

/** One audit entry opened in the history: its plan, how each step and check ended, and the bond's diff. */
export function historyEntryView(summary: EntrySummary, entry: AuditEntry): HistoryEntryView {
  const plan = recordedPlan(entry.plan);
  return {
    summary,
    address: entry.address,
    remoteUser: entry.remoteUser,
    startedAt: entry.startedAt ?? null,
    plan: plan
      ? {
          driver: plan.driver,
          runId: plan.runId,
          checkinTimeoutSeconds: plan.checkinTimeoutSeconds,
          steps: plan.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, command: s.command, detail: s.detail, phase: s.phase })),
          warnings: [...plan.warnings],
        }
      : null,
    steps: entry.steps,
    checks: entry.checks ?? [],
    diff: diffRecordedBond(recordedBond(entry.stateBefore, entry.bondName), recordedBond(entry.stateAfter, entry.bondName), entry.bondName),
    restoreOf: entry.restoreOf ?? null,
  };
}
