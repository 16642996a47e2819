import { useEffect, useState } from 'react';
import type { ApplyState } from '../../../../preload/contract';
import { Kbd, useShortcut } from '../shortcuts';

const STATUS_ICON = { pending: '○', running: '◔', done: '✓', failed: '✗', skipped: '–' } as const;
const RESULT_TEXT = {
  confirmed: 'Change kept: checks passed and the rollback was cancelled.',
  'rolled-back': 'The box rolled back to its previous configuration.',
  reverted: 'Reverted: the previous configuration is back.',
  failed: 'The change failed; the previous configuration is back.',
  'kept-unconfirmed': 'The box kept this change without confirmation.',
} as const;

const RESULT_TONE = { confirmed: 'ok', 'rolled-back': 'warning', reverted: 'warning', failed: 'error', 'kept-unconfirmed': 'warning' } as const;

function useSecondsLeft(deadline: string | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  // A new deadline is measured from the clock at once: the time kept since mount would show it a few
  // seconds too long until the first tick.
  const [measuredFor, setMeasuredFor] = useState(deadline);
  if (measuredFor !== deadline) {
    setMeasuredFor(deadline);
    setNow(Date.now());
  }
  useEffect(() => {
    if (!deadline) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  if (!deadline) return null;
  return Math.max(0, Math.ceil((Date.parse(deadline) - now) / 1000));
}

/**
 * What a screen reader hears of the countdown: every 15 s, at 10 s, then each of the last 5 seconds
 * (a live region that changed every second would talk over everything else).
 */
function spokenCountdown(secondsLeft: number | null, awaiting: boolean, checksOk: boolean): string {
  if (secondsLeft === null) return '';
  const at = secondsLeft > 10 ? Math.ceil(secondsLeft / 15) * 15 : secondsLeft > 5 ? 10 : secondsLeft;
  const what = awaiting ? (checksOk ? ' Checks passed: Keep with Alt+K, or Revert with Alt+R.' : ' Revert with Alt+R.') : '';
  return `Rollback in ${at} seconds unless the change is kept.${what}`;
}

/** Each step's progress, the rollback countdown, and Keep / Revert while the box waits for a decision. */
export function ApplyProgress(props: {
  state: ApplyState;
  busy?: boolean;
  onKeep: () => void;
  onRevert: () => void;
  onClose: () => void;
  /** Plan a new safe apply that takes the change back (offered when the box kept it without confirmation). */
  onPlanUndo?: () => void;
  /** Back to the editor with the box's refusals next to their fields. */
  onFixInEditor?: () => void;
}) {
  const { state } = props;
  const secondsLeft = useSecondsLeft(state.result === null ? state.deadline : null);
  const awaiting = state.phase === 'awaiting-confirmation';
  const allChecksOk = state.checks.length > 0 && state.checks.every((c) => c.ok);
  useShortcut('K', awaiting && allChecksOk, props.onKeep);
  useShortcut('R', awaiting, props.onRevert);
  const spoken = spokenCountdown(secondsLeft, awaiting, allChecksOk);
  return (
    <section className="panel apply" aria-label="Apply progress">
      <header className="panel-header">
        <h2>
          {state.action === 'delete' ? 'Deleting' : state.action === 'create' ? 'Creating' : 'Updating'} {state.bondName}
        </h2>
        {secondsLeft !== null ? (
          <div className={secondsLeft <= 10 ? 'countdown urgent' : 'countdown'} role="timer" aria-label="Rollback countdown" aria-live="off">
            Rollback in <strong>{secondsLeft} s</strong>
          </div>
        ) : null}
      </header>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {spoken}
      </p>
      <ol className="apply-steps" aria-label="Steps">
        {state.steps.map((s) => (
          <li key={s.id} className={`step step-${s.status}`}>
            <span className="step-icon" aria-hidden="true">
              {STATUS_ICON[s.status]}
            </span>
            <span>{s.title}</span>
            <span className="visually-hidden"> ({s.status})</span>
            {s.detail ? <div className="muted small">{s.detail}</div> : null}
          </li>
        ))}
      </ol>
      {state.checks.length > 0 ? (
        <ul className="checks" aria-label="Verification checks">
          {state.checks.map((c) => (
            <li key={c.name} className={c.ok ? 'diag diag-ok' : 'diag diag-error'}>
              {c.ok ? '✓' : '✗'} {c.name}: {c.detail}
            </li>
          ))}
        </ul>
      ) : null}
      {state.result ? (
        // One box for the outcome: what it means for the box, then what happened, in the run's words.
        <div className={`banner ${RESULT_TONE[state.result]}`} role="alert">
          <strong>{RESULT_TEXT[state.result]}</strong>
          {state.message && state.message !== RESULT_TEXT[state.result] ? <div>{state.message}</div> : null}
        </div>
      ) : state.message ? (
        <p className="muted" role="status">
          {state.message}
        </p>
      ) : null}
      <div className="actions">
        {awaiting ? (
          <>
            <button type="button" className="primary" disabled={!allChecksOk} onClick={props.onKeep} aria-keyshortcuts="Alt+K">
              Keep
              <Kbd keyName="K" />
            </button>
            <button type="button" className="danger" onClick={props.onRevert} aria-keyshortcuts="Alt+R">
              Revert
              <Kbd keyName="R" />
            </button>
          </>
        ) : null}
        {state.result === 'kept-unconfirmed' && props.onPlanUndo ? (
          <button type="button" className="danger" disabled={props.busy} onClick={props.onPlanUndo}>
            Plan reverting this change
          </button>
        ) : null}
        {state.result === 'failed' && (state.fieldErrors?.length ?? 0) > 0 && props.onFixInEditor ? (
          <button type="button" className="primary" onClick={props.onFixInEditor}>
            Back to the editor
          </button>
        ) : null}
        {state.result ? (
          // Focus moves to Done with the outcome, so a keyboard user closes it with Enter.
          <button type="button" onClick={props.onClose} autoFocus>
            Done
          </button>
        ) : null}
      </div>
    </section>
  );
}
