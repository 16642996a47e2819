import { useEffect, useState } from 'react';
import { changeWords, type AuditResult, type AuditSummary, type Host } from '../../../../preload/contract';
import { useHistoryStore, type HistoryFilter } from '../../state/history-store';
import type { View } from '../../state/hosts-store';
import { HistoryEntry } from './history-entry';
import { dayBound, durationText, isoDay, RESULT_TAG, RESULTS, resultText, timeText } from './history-words';
import './history.css';

/** Every recorded change, across hosts or for one: what changed on which box, when, by whom, and did it stick. */
export function HistoryView(props: { hosts: readonly Host[]; hostId: string | null; entryId: string | null; onShow: (view: View) => void }) {
  const { page, loading, error, listedInMs, filter } = useHistoryStore();
  const { load, more, exportFile } = useHistoryStore.getState();
  const [exportError, setExportError] = useState<string | null>(null);
  const [fromDay, setFromDay] = useState('');
  const [toDay, setToDay] = useState('');

  useEffect(() => {
    void load({ hostId: props.hostId });
  }, [props.hostId, load]);

  const setFilter = (next: HistoryFilter): void => {
    void load(next);
  };
  const hostName = (id: string): string => props.hosts.find((h) => h.id === id)?.label ?? page?.hosts.find((h) => h.hostId === id)?.hostLabel ?? id;
  const hostChoices = new Map<string, string>();
  for (const h of page?.hosts ?? []) hostChoices.set(h.hostId, h.hostLabel);
  for (const h of props.hosts) hostChoices.set(h.id, h.label);
  const runExport = async (format: 'jsonl' | 'report'): Promise<void> => {
    setExportError(null);
    const err = await exportFile({ entryId: null, filter, format });
    if (err) setExportError(err.message);
  };
  const title = filter.hostId ? `History of ${hostName(filter.hostId)}` : 'History of all hosts';
  const items = page?.items ?? [];
  return (
    <>
      {props.entryId ? <HistoryEntry key={props.entryId} entryId={props.entryId} hostLabel={hostName} onShow={props.onShow} onClose={() => props.onShow({ kind: 'history', ...(props.hostId ? { hostId: props.hostId } : {}) })} /> : null}
      <section className="panel history" aria-label="History">
        <header className="panel-header">
          <h2>{title}</h2>
          <div className="actions">
            <button type="button" onClick={() => void runExport('jsonl')} disabled={!page || page.total === 0}>
              Export JSON lines
            </button>
            <button type="button" onClick={() => void runExport('report')} disabled={!page || page.total === 0}>
              Export report
            </button>
          </div>
        </header>
        <div className="toolbar history-filters">
          <label>
            Host{' '}
            <select aria-label="Filter by host" value={filter.hostId ?? ''} onChange={(e) => props.onShow({ kind: 'history', ...(e.target.value ? { hostId: e.target.value } : {}) })}>
              <option value="">All hosts</option>
              {[...hostChoices].map(([id, label]) => (
                <option key={id} value={id}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Bond{' '}
            <select aria-label="Filter by bond" value={filter.bondName ?? ''} onChange={(e) => setFilter({ ...filter, bondName: e.target.value || null })}>
              <option value="">All bonds</option>
              {(page?.bonds ?? []).map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
          <label>
            Result{' '}
            <select aria-label="Filter by result" value={filter.result ?? ''} onChange={(e) => setFilter({ ...filter, result: (e.target.value || null) as AuditResult | null })}>
              <option value="">Any result</option>
              {RESULTS.map((r) => (
                <option key={r} value={r}>
                  {resultText(r)}
                </option>
              ))}
            </select>
          </label>
          <label>
            From{' '}
            <input
              type="date"
              aria-label="From date"
              value={fromDay || isoDay(filter.from)}
              onChange={(e) => {
                setFromDay(e.target.value);
                setFilter({ ...filter, from: dayBound(e.target.value, false) });
              }}
            />
          </label>
          <label>
            To{' '}
            <input
              type="date"
              aria-label="To date"
              value={toDay || isoDay(filter.to)}
              onChange={(e) => {
                setToDay(e.target.value);
                setFilter({ ...filter, to: dayBound(e.target.value, true) });
              }}
            />
          </label>
          {filter.bondName || filter.result || filter.from || filter.to || filter.runId ? (
            <button
              type="button"
              onClick={() => {
                setFromDay('');
                setToDay('');
                setFilter({ hostId: filter.hostId ?? null });
              }}
            >
              Clear filters
            </button>
          ) : null}
        </div>
        {filter.runId ? (
          <p className="muted small">
            Only fleet run {filter.runId}.
          </p>
        ) : null}
        {error ? (
          <div className="banner error" role="alert">
            {error.message}
          </div>
        ) : null}
        {exportError ? (
          <div className="banner error" role="alert">
            {exportError}
          </div>
        ) : null}
        {page && page.damaged > 0 ? (
          <div className="banner warning" role="status">
            {page.damaged} {page.damaged === 1 ? 'line' : 'lines'} of the audit log could not be read as entries (a torn write or an edit by hand). They are kept in the file and listed below as damaged.
          </div>
        ) : null}
        {page && items.length === 0 ? <p className="muted">{page.total === 0 && !filter.bondName && !filter.result && !filter.from && !filter.to ? 'No changes recorded yet.' : 'No entries match these filters.'}</p> : null}
        {items.length > 0 ? (
          <table className="history-list" aria-label="Changes">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Host</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Result</th>
                <th scope="col">How long</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <HistoryRow key={`${s.id}-${s.kind}`} summary={s} selected={s.id === props.entryId} hostLabel={hostName} onOpen={(id) => props.onShow({ kind: 'history', ...(props.hostId ? { hostId: props.hostId } : {}), entry: id })} onRun={(runId) => setFilter({ ...filter, runId })} />
              ))}
            </tbody>
          </table>
        ) : null}
        <div className="toolbar">
          {page ? (
            <span className="muted small" role="status" aria-label="History figures">
              {items.length} of {page.total} {page.total === 1 ? 'entry' : 'entries'}
              {listedInMs !== null ? ` · listed in ${listedInMs} ms` : ''}
            </span>
          ) : loading ? (
            <span className="muted">Loading…</span>
          ) : null}
          {page && items.length < page.total ? (
            <button type="button" disabled={loading} onClick={() => void more()}>
              Show more
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

function HistoryRow(props: { summary: AuditSummary; selected: boolean; hostLabel: (id: string) => string; onOpen: (id: string) => void; onRun: (runId: string) => void }) {
  const s = props.summary;
  if (s.kind === 'damaged') {
    return (
      <tr className="history-damaged">
        <td colSpan={6}>
          <span className="tag tag-error">damaged</span> {s.file} line {s.line}: {s.reason} <code className="preview">{s.preview}</code>
        </td>
      </tr>
    );
  }
  return (
    <tr className={props.selected ? 'selected' : undefined} aria-selected={props.selected}>
      <td>
        <button type="button" className="link-button" onClick={() => props.onOpen(s.id)}>
          {timeText(s.time)}
        </button>
      </td>
      <td>{s.hostLabel || props.hostLabel(s.hostId)}</td>
      <td>{s.localUser}</td>
      <td>
        {changeWords(s.action, s.bondName, s.restoreOf ?? null)}
        {s.runId ? (
          <button type="button" className="tag tag-button" title={`Only the changes of fleet run ${s.runId}`} onClick={() => props.onRun(s.runId ?? '')}>
            fleet run
          </button>
        ) : null}
        {s.recordedBy === 'recovered' ? <span className="tag" title="The app was gone inside the window; the outcome was read from the box on the next connect">read on reconnect</span> : null}
      </td>
      <td>
        <span className={`tag ${RESULT_TAG[s.result]}`}>{resultText(s.result)}</span>
        {s.result !== 'confirmed' ? <span className="history-reason">{s.message}</span> : null}
      </td>
      <td>{durationText(s.durationMs)}</td>
    </tr>
  );
}
