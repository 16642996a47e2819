import { AUDIT_RESULT_TEXT, type AuditResult } from '../../../../preload/contract';

// Words and marks the history list, the entry and the filters share.

export const RESULT_TAG: Readonly<Record<AuditResult, string>> = {
  confirmed: 'tag-ok',
  'kept-unconfirmed': 'tag-warning',
  reverted: 'tag-warning',
  'rolled-back': 'tag-warning',
  failed: 'tag-error',
  refused: 'tag-error',
};

export const RESULTS = Object.keys(AUDIT_RESULT_TEXT) as AuditResult[];

export function resultText(result: AuditResult): string {
  return AUDIT_RESULT_TEXT[result];
}

export function timeText(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toLocaleString() : iso;
}

export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A date input's day (local) as the ISO bound of a filter: the start or the end of that day. */
export function dayBound(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const t = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isFinite(t.getTime()) ? t.toISOString() : null;
}

export function isoDay(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return '';
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
