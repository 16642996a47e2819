import { useBondsStore } from '../../state/bonds-store';
import { ApplyProgress } from './apply-progress';
import { BondEditor } from './bond-editor';
import { PlanView } from './plan-view';

/** Editor → plan → apply with countdown, for one host. */
export function BondWorkflow(props: { hostId: string; onDone: () => void }) {
  const s = useBondsStore();
  const stage = s.stage;
  if (stage.kind === 'closed' || stage.hostId !== props.hostId) return null;
  if (stage.kind === 'editing') {
    return (
      <>
        <BondEditor
          key={`${stage.initial.name}-${String(stage.editing)}`}
          initial={stage.initial}
          editing={stage.editing}
          candidates={s.candidates}
          resetNics={s.resetNics}
          onReset={s.setReset}
          serverErrors={s.fieldErrors}
          formError={s.formError}
          busy={s.busy}
          onSave={(spec) => void s.planSave(spec)}
          onCancel={s.close}
        />
        <TimeoutField seconds={s.checkinTimeoutSeconds} onChange={s.setTimeoutSeconds} />
      </>
    );
  }
  if (stage.kind === 'confirm-delete') {
    return (
      <section className="panel" aria-label={`Delete ${stage.bondName}`}>
        <h2>Delete {stage.bondName}?</h2>
        <p>Bondsmith plans the deletion first; nothing changes until you apply the plan, and the box rolls back on its own unless you confirm.</p>
        {s.formError ? (
          <p className="form-error" role="alert">
            {s.formError.message}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="danger" disabled={s.busy} onClick={() => void s.planDelete()}>
            Plan deletion
          </button>
          <button type="button" onClick={s.close}>
            Cancel
          </button>
        </div>
      </section>
    );
  }
  if (stage.kind === 'plan') {
    return (
      <>
        {stage.restore ? (
          <section className="panel restore-notes" aria-label="Restore from history">
            <h2>{stage.restore.title}</h2>
            <p>A new plan made from this host as it is now, by its own driver; the recorded commands are not replayed. It is applied like any change: rollback armed on the box, verified, then kept or reverted.</p>
            {stage.restore.notes.length > 0 ? (
              <ul aria-label="What differs today">
                {stage.restore.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            ) : null}
          </section>
        ) : null}
        <PlanView plan={stage.plan} script={null} busy={s.busy} onApply={(autoKeep) => void s.apply(autoKeep)} onSaveScript={() => void s.saveScript()} onBack={() => (stage.spec ? void s.open(props.hostId, stage.spec, stage.editing) : s.close())} backLabel={stage.restore ? 'Cancel' : undefined} />
        {s.formError ? (
          <p className="form-error" role="alert">
            {s.formError.message}
          </p>
        ) : null}
      </>
    );
  }
  const state = s.applies[stage.applyId];
  if (!state) return null;
  return (
    <>
      <ApplyProgress
        state={state}
        busy={s.busy}
        onKeep={() => void s.keep(stage.applyId)}
        onRevert={() => void s.revert(stage.applyId)}
        onPlanUndo={() => void s.planUndo(stage.applyId)}
        onFixInEditor={stage.spec ? () => s.fixInEditor(stage.applyId) : undefined}
        onClose={() => {
          s.close();
          props.onDone();
        }}
      />
      {s.formError ? (
        <p className="form-error" role="alert">
          {s.formError.message}
        </p>
      ) : null}
    </>
  );
}

function TimeoutField(props: { seconds: number; onChange: (seconds: number) => void }) {
  return (
    <div className="panel timeout">
      <label htmlFor="checkin-timeout">Rollback timeout (seconds)</label>{' '}
      <input
        id="checkin-timeout"
        type="number"
        min={10}
        max={300}
        value={props.seconds}
        aria-describedby="checkin-timeout-hint"
        onChange={(e) => props.onChange(Math.min(300, Math.max(10, Number(e.target.value) || 60)))}
      />
      <span id="checkin-timeout-hint" className="muted small">
        {' '}
        10 to 300 s. Unless confirmed in time, the box returns to its current configuration by itself.
      </span>
    </div>
  );
}
