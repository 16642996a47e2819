import type { AuditEntry, AuditSummary } from '../../preload/contract/audit';
import { AUDIT_RESULT_TEXT, changeWords, type HistoryEntryView } from '../../preload/contract/history';
import { planToShellScript } from '../plan/plan-script';
import { recordedPlan } from './recorded-plan';

// Exports of the history: JSON lines (each entry exactly as the log keeps it, one per line, for
// tools) and a report for people (what changed on which box, when, and did it stick).

type Damaged = Extract<AuditSummary, { kind: 'damaged' }>;

export interface ExportItem {
  readonly view: HistoryEntryView;
  readonly entry: AuditEntry;
}

/** Each entry as the log holds it, one JSON object per line; damaged lines as `{ damaged: … }`. */
export function historyToJsonLines(items: readonly ExportItem[], damaged: readonly Damaged[] = []): string {
  const lines = items.map((i) => JSON.stringify({ id: i.view.summary.id, ...i.entry }));
  for (const d of damaged) lines.push(JSON.stringify({ damaged: { id: d.id, file: d.file, line: d.line, reason: d.reason, preview: d.preview } }));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function durationText(ms: number | null): string {
  if (ms === null) return 'duration not recorded';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function entryReport(item: ExportItem): string[] {
  const { view } = item;
  const s = view.summary;
  const out = [
    `== ${s.time}  ${s.hostLabel} (${view.address || s.hostId})  ${changeWords(s.action, s.bondName, s.restoreOf ?? null)}  ${AUDIT_RESULT_TEXT[s.result].toUpperCase()}`,
    `   By ${s.localUser} on this computer, as ${view.remoteUser || 'unknown'} on the box; ${durationText(s.durationMs)}${s.runId ? `; fleet run ${s.runId}` : ''}${view.restoreOf ? `; restore of entry ${view.restoreOf.entryId} (as it was ${view.restoreOf.side})` : ''}.`,
    `   ${s.message}`,
    `   Configuration: ${view.diff.summary}`,
  ];
  const width = Math.max(0, ...view.diff.rows.map((r) => r.label.length));
  for (const r of view.diff.rows) {
    out.push(`   ${r.changed ? '*' : ' '} ${r.label.padEnd(width)}  ${r.before ?? '(no bond)'}  ->  ${r.after ?? '(no bond)'}${r.note ? `   [${r.note}]` : ''}`);
  }
  if (view.checks.length > 0) {
    out.push('   Checks:');
    for (const c of view.checks) out.push(`     [${c.ok ? 'ok' : 'FAILED'}] ${c.name}: ${c.detail}`);
  }
  if (view.steps.length > 0) {
    out.push('   Steps:');
    for (const st of view.steps) out.push(`     [${st.status}] ${st.title}${st.detail ? `: ${st.detail.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
  }
  if (view.plan) {
    out.push(`   Plan (${view.plan.driver}, run ${view.plan.runId}, rollback after ${view.plan.checkinTimeoutSeconds} s):`);
    for (const st of view.plan.steps) {
      out.push(`     - [${st.phase}] ${st.title}`);
      for (const line of st.command.split('\n')) out.push(`         ${line}`);
    }
  } else {
    out.push('   Plan: not recorded in a form Bondsmith can read.');
  }
  return out;
}

/** A report for people; `matched` is how many entries the filter matched (more than listed when capped). */
export function historyToReport(items: readonly ExportItem[], options: { readonly title: string; readonly matched: number; readonly damaged: readonly Damaged[]; readonly generatedAt: string }): string {
  const out = [`Bondsmith history: ${options.title}`, `Made ${options.generatedAt}; ${items.length} ${items.length === 1 ? 'entry' : 'entries'}${options.matched > items.length ? ` of ${options.matched} matching (the newest)` : ''}, newest first.`, ''];
  const results = new Map<string, number>();
  for (const i of items) results.set(AUDIT_RESULT_TEXT[i.view.summary.result], (results.get(AUDIT_RESULT_TEXT[i.view.summary.result]) ?? 0) + 1);
  if (results.size > 0) out.push(`Results: ${[...results.entries()].map(([r, n]) => `${n} ${r}`).join(', ')}.`, '');
  for (const i of items) out.push(...entryReport(i), '');
  if (options.damaged.length > 0) {
    out.push(`Damaged lines (kept in the log, not readable as entries): ${options.damaged.length}`);
    for (const d of options.damaged) out.push(`   ${d.file} line ${d.line}: ${d.reason}: ${d.preview}`);
  }
  return `${out.join('\n')}\n`;
}

/** The entry's plan as the same shell script the plan view saves, or null when none was recorded. */
export function historyPlanScript(entry: AuditEntry): string | null {
  const plan = recordedPlan(entry.plan);
  if (plan === null) return null;
  return `${planToShellScript(plan)}\n# Exported from Bondsmith's history: this plan ran ${entry.startedAt ?? entry.time} on ${entry.hostLabel} and ended ${AUDIT_RESULT_TEXT[entry.result]}.\n# Today's host may differ: restore through Bondsmith, which plans from the host as it is now.\n`;
}
