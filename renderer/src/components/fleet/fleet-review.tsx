import { useState } from 'react';
import type { BondSpec, FleetHostPreview } from '../../../../preload/contract';

/** Every target's plan on one screen, with its impact; hosts that cannot take the spec say why and are left out. */
export function FleetReview(props: {
  spec: BondSpec;
  previews: readonly FleetHostPreview[];
  canaryId: string | null;
  onCanary: (hostId: string) => void;
  onRemap: (hostId: string, members: readonly string[]) => void;
  busy: boolean;
  starting: boolean;
  parallelism: number;
  onStart: () => void;
}) {
  const ready = props.previews.filter((p) => p.problem === null);
  const refused = props.previews.filter((p) => p.problem !== null);
  const canary = ready.find((p) => p.hostId === props.canaryId);
  const pathTouched = ready.filter((p) => p.plan?.impact.managementAffected || p.plan?.impact.managementMigration);
  return (
    <section className="panel fleet-review" aria-label="Review">
      <header className="panel-header">
        <h2>Review: {props.spec.name} on {ready.length} host{ready.length === 1 ? '' : 's'}</h2>
        <span className="muted small">
          {refused.length > 0 ? `${refused.length} host${refused.length === 1 ? '' : 's'} cannot take it and will not be changed` : 'every chosen host can take it'}
        </span>
      </header>
      {pathTouched.length > 0 ? (
        <div className="banner warning" role="status">
          This change touches the management path of {pathTouched.map((p) => p.label).join(', ')}: Bondsmith must reconnect over the new path to confirm, else{' '}
          {pathTouched.length === 1 ? 'that box rolls' : 'those boxes roll'} back on {pathTouched.length === 1 ? 'its' : 'their'} own and the run stops there.
        </div>
      ) : null}
      <ol className="fleet-plan-list">
        {props.previews.map((p) => (
          <HostPlan key={p.hostId} preview={p} spec={props.spec} canary={p.hostId === props.canaryId} onCanary={() => props.onCanary(p.hostId)} onRemap={(m) => props.onRemap(p.hostId, m)} busy={props.busy} />
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="primary" disabled={!canary || props.busy || props.starting} onClick={props.onStart}>
          {props.starting ? 'Starting…' : canary ? `Start: ${canary.label} first, then ${ready.length - 1} more, ${props.parallelism} at a time` : 'No host can take this bond'}
        </button>
      </div>
      <p className="muted small">
        The canary must end kept (its checks pass) before any other host starts; the run stops at the first host that fails or rolls back and leaves the rest untouched. Each box
        carries its own armed rollback.
      </p>
    </section>
  );
}

function HostPlan(props: { preview: FleetHostPreview; spec: BondSpec; canary: boolean; onCanary: () => void; onRemap: (members: readonly string[]) => void; busy: boolean }) {
  const { preview: p } = props;
  const [mapping, setMapping] = useState(false);
  const impact = p.plan?.impact ?? null;
  const mapped = p.members.join(',') !== props.spec.members.join(',');
  return (
    <li className={`fleet-plan ${p.problem ? 'refused' : 'ok'}`} aria-label={`Plan for ${p.label}`}>
      <div className="fleet-plan-head">
        <strong>{p.label}</strong>
        <span className="muted small">{p.driverLabel ?? ''}</span>
        {p.problem === null ? (
          <label className="small">
            <input type="radio" name="canary" checked={props.canary} onChange={props.onCanary} /> canary
          </label>
        ) : null}
        {props.canary ? <span className="tag tag-ok">goes first</span> : null}
      </div>
      <div className="small">
        {p.action ?? 'change'} {props.spec.name} over <strong>{p.members.join(', ')}</strong>
        {mapped ? <span className="muted"> (mapped by hand)</span> : null}{' '}
        {p.ports.length > 0 ? (
          <button type="button" className="link-button" onClick={() => setMapping(!mapping)}>
            {mapping ? 'Close ports' : 'Pick ports'}
          </button>
        ) : null}
      </div>
      {mapping ? <PortMapping preview={p} busy={props.busy} onApply={(m) => { setMapping(false); props.onRemap(m); }} /> : null}
      {p.problem ? (
        <p className="diag diag-error" role="alert">
          Cannot take it: {p.problem}
        </p>
      ) : null}
      {p.fieldErrors.length > 0 ? (
        <ul className="small">
          {p.fieldErrors.map((e) => (
            <li key={`${e.field}-${e.message}`} className="diag-error">
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {impact ? (
        <ul className="impact small" aria-label={`Impact on ${p.label}`}>
          {impact.managementMigration ? (
            <li className="diag diag-warning">
              Management path: {impact.managementMigration.address} moves from {impact.managementMigration.fromNic} to {impact.managementMigration.toBond}; Bondsmith reconnects over it to
              confirm, else the box rolls back.
            </li>
          ) : impact.managementAffected ? (
            <li className="diag diag-warning">Touches the interface that carries Bondsmith&apos;s SSH session.</li>
          ) : (
            <li>Management path not touched.</li>
          )}
          {impact.addressesRemoved.length > 0 ? <li className="diag diag-warning">Addresses removed: {impact.addressesRemoved.join(', ')}</li> : <li>No address is removed.</li>}
          {impact.gatewayAtRisk ? <li className="diag diag-warning">The default gateway is on an interface this change touches; it is saved and restored.</li> : null}
          {p.plan?.warnings.map((w) => (
            <li key={w} className="diag diag-warning">
              {w}
            </li>
          ))}
        </ul>
      ) : null}
      {p.plan ? (
        <details className="small">
          <summary>{p.plan.steps.length} operations on the box</summary>
          <ol>
            {p.plan.steps.map((s) => (
              <li key={s.id}>
                {s.title}
                <pre className="command">{s.command.length > 600 ? `${s.command.slice(0, 600)}…` : s.command}</pre>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </li>
  );
}

function PortMapping(props: { preview: FleetHostPreview; busy: boolean; onApply: (members: readonly string[]) => void }) {
  const [members, setMembers] = useState<readonly string[]>(props.preview.members.filter((m) => props.preview.ports.some((p) => p.name === m)));
  return (
    <div className="fleet-mapping" role="group" aria-label={`Ports of ${props.preview.label}`}>
      {props.preview.ports.map((port) => {
        const at = members.indexOf(port.name);
        return (
          <label key={port.name} className={port.eligible ? '' : 'muted'} title={port.reason ?? undefined}>
            <input type="checkbox" disabled={!port.eligible} checked={at >= 0} onChange={(e) => setMembers(e.target.checked ? [...members, port.name] : members.filter((m) => m !== port.name))} /> {port.name}
            {at >= 0 ? <span className="tag">{at + 1}</span> : null}
            {port.carriesManagement ? <span className="tag tag-mgmt">management</span> : null}
            {!port.eligible && port.reason ? <span className="small"> ({port.reason})</span> : null}
          </label>
        );
      })}
      <button type="button" disabled={members.length === 0 || props.busy} onClick={() => props.onApply(members)}>
        Use {members.join(', ') || 'these ports'}
      </button>
    </div>
  );
}
