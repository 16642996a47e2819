import { useEffect, useState } from 'react';
import type { FleetHostState, FleetRun, FleetRunHost } from '../../../../preload/contract';
import { useFleetStore } from '../../state/fleet-store';
import type { View } from '../../state/hosts-store';
import { FormError } from '../form-error';
import './fleet.css';

const STATE_TEXT: Readonly<Record<FleetHostState, string>> = {
  waiting: 'Waiting',
  planning: 'Planning',
  applying: 'Applying',
  countdown: 'Countdown',
  kept: 'Kept',
  'rolled-back': 'Rolled back',
  failed: 'Failed',
  skipped: 'Skipped',
  interrupted: 'Interrupted',
};

const STATUS_TEXT: Readonly<Record<FleetRun['status'], string>> = {
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
  aborted: 'Aborted',
  finished: 'Finished',
  interrupted: 'Interrupted',
};

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    // The clock stood still while nobody counted down: read it now, not a second late (a countdown
    // would first show the seconds left as of when the view opened).
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** One rollout, live: per host its state and why, Keep/Revert while a host counts down, Pause/Resume/Abort between hosts. */
export function FleetRunView(props: { runId: string; onShow: (view: View) => void }) {
  const run = useFleetStore((s) => s.runs[props.runId]);
  const error = useFleetStore((s) => s.error);
  const { control, keepHost, revertHost } = useFleetStore.getState();
  const counting = run?.hosts.some((h) => h.state === 'countdown') ?? false;
  const now = useNow(counting);
  if (!run) return <p className="muted">That rollout is not known.</p>;
  const open = run.status === 'running' || run.status === 'paused';
  return (
    <section className="panel fleet-run" aria-label="Rollout">
      <header className="panel-header">
        <h2>
          Rollout of {run.spec.name} · <span className={`run-status run-${run.status}`}>{STATUS_TEXT[run.status]}</span>
        </h2>
        <span className="muted small">
          started {new Date(run.createdAt).toLocaleString()} · {run.spec.protocol} · {run.parallelism} at a time after the canary
        </span>
      </header>
      <p className="run-status-text" role="status">
        {run.statusText}
      </p>
      <div className="toolbar">
        {run.status === 'running' ? (
          <button type="button" onClick={() => void control(run.runId, 'pause')}>
            Pause
          </button>
        ) : null}
        {run.status === 'paused' ? (
          <button type="button" className="primary" onClick={() => void control(run.runId, 'resume')}>
            Resume
          </button>
        ) : null}
        {open ? (
          <button type="button" className="danger" onClick={() => void control(run.runId, 'abort')}>
            Abort
          </button>
        ) : null}
        <button type="button" onClick={() => props.onShow({ kind: 'welcome' })}>
          Back to the fleet
        </button>
      </div>
      <FormError error={error} />
      <table className="fleet-table fleet-run-table" aria-label="Hosts of the rollout">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Host</th>
            <th scope="col">State</th>
            <th scope="col">What happened</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {run.hosts.map((h, i) => (
            <RunHostRow key={h.hostId} index={i} host={h} canary={h.hostId === run.canaryHostId} now={now} onKeep={keepHost} onRevert={revertHost} onOpen={() => props.onShow({ kind: 'host', id: h.hostId })} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RunHostRow(props: { index: number; host: FleetRunHost; canary: boolean; now: number; onKeep: (applyId: string) => Promise<void>; onRevert: (applyId: string) => Promise<void>; onOpen: () => void }) {
  const { host } = props;
  const left = host.deadline ? Math.max(0, Math.round((Date.parse(host.deadline) - props.now) / 1000)) : null;
  return (
    <tr className={`run-host state-${host.state}`} data-host={host.label}>
      <td>{props.index + 1}</td>
      <th scope="row">
        <button type="button" className="link-button" onClick={props.onOpen}>
          {host.label}
        </button>
        {props.canary ? <span className="tag tag-ok">canary</span> : null}
        <div className="muted small">{host.members.join(', ')}</div>
      </th>
      <td>
        <span className={`run-state run-state-${host.state}`} aria-label={`State of ${host.label}: ${STATE_TEXT[host.state]}`}>
          {STATE_TEXT[host.state]}
          {host.state === 'countdown' && left !== null ? ` · ${left} s` : ''}
        </span>
      </td>
      <td className="small">{host.reason || '—'}</td>
      <td>
        {host.state === 'countdown' && host.applyId ? (
          <span className="run-actions">
            <button type="button" className="primary" onClick={() => void props.onKeep(host.applyId ?? '')}>
              Keep
            </button>
            <button type="button" onClick={() => void props.onRevert(host.applyId ?? '')}>
              Revert
            </button>
          </span>
        ) : null}
      </td>
    </tr>
  );
}

/** The rollouts Bondsmith remembers, newest first: each opens its run view. */
export function FleetRunsList(props: { onShow: (view: View) => void }) {
  const runs = useFleetStore((s) => s.runs);
  const unreadable = useFleetStore((s) => s.unreadableRuns);
  const list = Object.values(runs).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 10);
  if (list.length === 0 && unreadable === 0) return null;
  return (
    <section className="panel" aria-label="Rollouts">
      <header className="panel-header">
        <h2>Rollouts</h2>
      </header>
      {unreadable > 0 ? (
        <div className="banner warning" role="status">
          {unreadable} saved rollout record(s) could not be read; they were kept aside in the data directory&apos;s fleet-runs folder.
        </div>
      ) : null}
      <ul className="fleet-runs">
        {list.map((r) => (
          <li key={r.runId}>
            <button type="button" className="link-button" onClick={() => props.onShow({ kind: 'fleet-run', id: r.runId })}>
              {r.spec.name} to {r.hosts.length} host{r.hosts.length === 1 ? '' : 's'}
            </button>{' '}
            <span className={`run-status run-${r.status}`}>{STATUS_TEXT[r.status]}</span> <span className="muted small">{new Date(r.createdAt).toLocaleString()} · {r.statusText}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
