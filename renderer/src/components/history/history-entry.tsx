import { useEffect, useState } from 'react';
import { changeWords, type BondDiff, type HistoryEntryView, type RestoreSide } from '../../../../preload/contract';
import { useBondsStore } from '../../state/bonds-store';
import { useHistoryStore } from '../../state/history-store';
import type { View } from '../../state/hosts-store';
import { durationText, RESULT_TAG, resultText, timeText } from './history-words';

const PHASE_TEXT = { prepare: 'Prepare', arm: 'Arm rollback', apply: 'Apply', verify: 'Verify', confirm: 'Confirm', rollback: 'Roll back' } as const;

const STATE_TEXT: Readonly<Record<BondDiff['before'], string>> = {
  present: '',
  absent: 'not there',
  unreadable: 'a mode the editor does not offer',
  'not-recorded': 'not recorded',
};

/** One change opened: who, when, how it ended, the bond before and after, its checks and its exact plan; restore either side. */
export function HistoryEntry(props: { entryId: string; hostLabel: (id: string) => string; onShow: (view: View) => void; onClose: () => void }) {
  const { entry, entryError, restore, restoring, restoreError } = useHistoryStore();
  const { open, planRestore, exportFile, saveScript } = useHistoryStore.getState();
  const [timeout, setTimeoutSeconds] = useState(60);
  const [fileError, setFileError] = useState<string | null>(null);
  const [showPlan, setShowPlan] = useState(false);
  useEffect(() => {
    void open(props.entryId);
  }, [props.entryId, open]);

  if (entryError) {
    return (
      <section className="panel" aria-label="History entry">
        <div className="banner error" role="alert">
          {entryError.message}
        </div>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </section>
    );
  }
  if (!entry || entry.summary.id !== props.entryId) return <p className="muted">Loading the entry…</p>;
  const s = entry.summary;
  const doRestore = async (side: RestoreSide): Promise<void> => {
    const r = await planRestore(side, timeout);
    if (r?.plan) {
      useBondsStore.getState().showPlan(r.hostId, r.plan, { title: `Put ${r.bondName} back as it was ${side} the change of ${timeText(s.time)} (${changeWords(s.action, s.bondName, s.restoreOf ?? null)})`, notes: r.notes });
      props.onShow({ kind: 'host', id: r.hostId });
    }
  };
  const file = async (run: () => Promise<{ message: string } | null>): Promise<void> => {
    setFileError(null);
    const err = await run();
    if (err) setFileError(err.message);
  };
  return (
    <section className="panel history-entry" aria-label="History entry">
      <header className="panel-header">
        <h2>
          {changeWords(s.action, s.bondName, s.restoreOf ?? null)} on {s.hostLabel || props.hostLabel(s.hostId)} <span className={`tag ${RESULT_TAG[s.result]}`}>{resultText(s.result)}</span>
        </h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      <dl className="facts compact">
        <dt>When</dt>
        <dd>
          {entry.startedAt ? `${timeText(entry.startedAt)} to ` : ''}
          {timeText(s.time)} ({durationText(s.durationMs)})
        </dd>
        <dt>Who</dt>
        <dd>
          {s.localUser} on this computer, as {entry.remoteUser || 'unknown'} on {entry.address || s.hostId}
        </dd>
        <dt>Outcome</dt>
        <dd>{s.message}</dd>
        {s.runId ? (
          <>
            <dt>Fleet run</dt>
            <dd>
              <button type="button" className="link-button" onClick={() => props.onShow({ kind: 'fleet-run', id: s.runId ?? '' })}>
                {s.runId}
              </button>
            </dd>
          </>
        ) : null}
        {entry.restoreOf ? (
          <>
            <dt>Restore of</dt>
            <dd>
              <button type="button" className="link-button" onClick={() => props.onShow({ kind: 'history', entry: entry.restoreOf?.entryId ?? '' })}>
                an earlier entry
              </button>{' '}
              (as it was {entry.restoreOf.side} that change)
            </dd>
          </>
        ) : null}
      </dl>
      <BondDiffTable diff={entry.diff} bondName={s.bondName} />
      <Checks entry={entry} />
      <div className="restore-box">
        <h3>Restore</h3>
        <p className="muted small">Makes a new plan on {s.hostLabel} as it is today, through the same preview, armed rollback, verification and Keep or Revert as any change. Nothing recorded is replayed.</p>
        <div className="actions">
          <button type="button" className="primary" disabled={restoring || entry.diff.before === 'not-recorded'} onClick={() => void doRestore('before')}>
            Put {s.bondName} back as it was before
          </button>
          <button type="button" disabled={restoring || entry.diff.after === 'not-recorded'} onClick={() => void doRestore('after')}>
            As it was after
          </button>
          <label>
            Rollback timeout{' '}
            <input type="number" min={10} max={300} value={timeout} aria-label="Rollback timeout (seconds)" onChange={(e) => setTimeoutSeconds(Math.min(300, Math.max(10, Number(e.target.value) || 60)))} /> s
          </label>
        </div>
        {restoring ? <p className="muted">Reading {s.hostLabel} and planning…</p> : null}
        {restoreError ? (
          <div className="banner error" role="alert">
            {restoreError.message}{' '}
            {restoreError.code === 'NOT_CONNECTED' ? (
              <button type="button" onClick={() => props.onShow({ kind: 'host', id: s.hostId })}>
                Open {s.hostLabel}
              </button>
            ) : null}
          </div>
        ) : null}
        {restore?.refusal ? (
          <div className="banner warning" role="alert" aria-label="Restore refused">
            <strong>Not restored.</strong> {restore.refusal}
            {restore.notes.length > 0 ? (
              <ul>
                {restore.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="actions">
        <button type="button" onClick={() => void file(() => exportFile({ entryId: s.id, filter: {}, format: 'jsonl' }))}>
          Export as JSON lines
        </button>
        <button type="button" onClick={() => void file(() => exportFile({ entryId: s.id, filter: {}, format: 'report' }))}>
          Export as report
        </button>
        <button type="button" disabled={!entry.plan} onClick={() => void file(() => saveScript(s.id))}>
          Save plan as shell script
        </button>
        <button type="button" disabled={!entry.plan} onClick={() => setShowPlan(!showPlan)} aria-expanded={showPlan}>
          {showPlan ? 'Hide the plan' : `Show the plan (${entry.plan?.steps.length ?? 0} operations)`}
        </button>
      </div>
      {fileError ? (
        <div className="banner error" role="alert">
          {fileError}
        </div>
      ) : null}
      {showPlan && entry.plan ? (
        <ol className="plan-steps" aria-label="Recorded operations">
          {entry.plan.steps.map((step) => {
            const ran = entry.steps.find((x) => x.id === step.id);
            return (
              <li key={step.id}>
                <div>
                  <span className="tag">{PHASE_TEXT[step.phase]}</span> {step.title} {ran ? <span className={`tag ${ran.status === 'done' ? 'tag-ok' : ran.status === 'failed' ? 'tag-error' : ''}`}>{ran.status}</span> : null}
                </div>
                <pre className="command">{step.command}</pre>
                {step.detail ? <pre className="detail">{step.detail}</pre> : null}
                {ran?.detail ? <p className="muted small">{ran.detail}</p> : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </section>
  );
}

function BondDiffTable(props: { diff: BondDiff; bondName: string }) {
  const { diff } = props;
  return (
    <div className="bond-diff">
      <h3>
        {props.bondName} before and after <span className="muted small">{diff.summary}</span>
      </h3>
      {diff.rows.length > 0 ? (
        <table className="diff-table" aria-label="Configuration before and after">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before{diff.before !== 'present' ? ` (${STATE_TEXT[diff.before]})` : ''}</th>
              <th scope="col">After{diff.after !== 'present' ? ` (${STATE_TEXT[diff.after]})` : ''}</th>
            </tr>
          </thead>
          <tbody>
            {diff.rows.map((r) => (
              <tr key={r.field} className={r.changed ? 'diff-changed' : undefined}>
                <th scope="row">
                  {r.changed ? <span className="diff-mark" aria-label="changed">●</span> : null}
                  {r.label}
                </th>
                <td className={r.changed ? 'diff-old' : undefined}>{r.before ?? '—'}</td>
                <td className={r.changed ? 'diff-new' : undefined}>
                  {r.after ?? '—'}
                  {r.note ? <span className="muted small"> ({r.note})</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Checks(props: { entry: HistoryEntryView }) {
  const { checks } = props.entry;
  if (checks.length === 0) return <p className="muted small">No verification checks were recorded for this change.</p>;
  return (
    <div>
      <h3>Checks after the change</h3>
      <ul className="diagnosis" aria-label="Checks">
        {checks.map((c) => (
          <li key={c.name} className={`diag ${c.ok ? 'diag-ok' : 'diag-error'}`}>
            <strong>{c.name}</strong>: {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
