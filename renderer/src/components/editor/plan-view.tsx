import { useState } from 'react';
import type { PlanView as Plan } from '../../../../preload/contract';
import { Kbd, useShortcut } from '../shortcuts';

const PHASE_TEXT = { prepare: 'Prepare', arm: 'Arm rollback', apply: 'Apply', verify: 'Verify', confirm: 'Confirm', rollback: 'Roll back' } as const;

/** The plan, shown before anything runs: impact first, then every remote operation exactly. */
export function PlanView(props: {
  plan: Plan;
  script: string | null;
  busy: boolean;
  onApply: (autoKeep: boolean) => void;
  onBack: () => void;
  onSaveScript: () => void;
  /** "Back to editor" unless said otherwise (a plan that did not come from the editor). */
  backLabel?: string | undefined;
}) {
  const { plan } = props;
  const [autoKeep, setAutoKeep] = useState(false);
  const { impact } = plan;
  useShortcut('A', !props.busy, () => props.onApply(autoKeep));
  return (
    <section className="panel plan" aria-label="Plan">
      <header className="panel-header">
        <h2>
          Plan: {plan.action} {plan.bondName}
        </h2>
        <span className="muted small">{plan.driverLabel}</span>
      </header>
      <ul className="impact" aria-label="Impact">
        {impact.managementMigration ? (
          <li className="diag diag-warning">
            The management address {impact.managementMigration.address} moves from {impact.managementMigration.fromNic} to {impact.managementMigration.toBond}. Bondsmith
            reconnects over the new path to confirm; if it cannot, the box rolls back on its own.
          </li>
        ) : impact.managementAffected ? (
          <li className="diag diag-warning">This change touches the interface that carries Bondsmith&apos;s SSH session.</li>
        ) : (
          <li className="diag diag-ok">The management path is not touched.</li>
        )}
        {impact.addressesRemoved.length > 0 ? <li className="diag diag-warning">Addresses removed: {impact.addressesRemoved.join(', ')}</li> : null}
        {impact.gatewayAtRisk ? <li className="diag diag-warning">The default gateway is on an interface this change touches; it is saved and restored.</li> : null}
        {(impact.nicsReset ?? []).filter((n) => n !== impact.managementMigration?.fromNic).map((nic) => (
          <li key={`reset-${nic}`} className="diag diag-warning">
            {nic}&apos;s own configuration is reset first (its own step below), so it can join {plan.bondName}.
          </li>
        ))}
        {(impact.nameserversKept ?? []).length > 0 ? (
          <li className="diag diag-info">
            DNS servers {(impact.nameserversKept ?? []).join(', ')} are kept: if TrueNAS says this change would drop them, they are saved with the default gateway.
          </li>
        ) : null}
        {impact.membersReconfigured.length > 0 ? <li className="diag diag-info">Interfaces reconfigured: {impact.membersReconfigured.join(', ')}</li> : null}
        {plan.warnings.map((w) => (
          <li key={w} className="diag diag-warning">
            {w}
          </li>
        ))}
        <li className="diag diag-info">
          A rollback is armed on the box first: unless the change is confirmed within {plan.checkinTimeoutSeconds} s, the box returns to its current configuration by itself.
        </li>
      </ul>
      <ol className="plan-steps" aria-label="Remote operations">
        {plan.steps.map((step) => (
          <li key={step.id}>
            <div>
              <span className="tag">{PHASE_TEXT[step.phase]}</span> {step.title}
            </div>
            <pre className="command">{step.command}</pre>
            {step.detail ? <pre className="detail">{step.detail}</pre> : null}
          </li>
        ))}
      </ol>
      <label className="checkbox">
        <input type="checkbox" checked={autoKeep} onChange={(e) => setAutoKeep(e.target.checked)} /> Keep automatically when the checks pass
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={props.busy} onClick={() => props.onApply(autoKeep)} aria-keyshortcuts="Alt+A">
          Apply with rollback
          <Kbd keyName="A" />
        </button>
        <button type="button" onClick={props.onSaveScript}>
          Save as shell script
        </button>
        <button type="button" onClick={props.onBack}>
          {props.backLabel ?? 'Back to editor'}
        </button>
      </div>
    </section>
  );
}
