import { useSessionsStore } from '../../state/sessions-store';
import type { Host } from '../../../../preload/contract';
import { hostRow } from './fleet-health';
import './fleet.css';

/** The sidebar's word on a host: its health (worst bond diagnosis, reachability), not only its connection. */
export function HostHealth(props: { host: Host }) {
  const state = useSessionsStore((s) => s.states[props.host.id]);
  const result = useSessionsStore((s) => s.discovery[props.host.id]);
  const row = hostRow(props.host, state, result);
  return (
    <span className={`health health-${row.level} side-health`} title={row.summary} aria-label={`Health: ${row.summary}`}>
      <span className="dot" aria-hidden="true" />
      {row.summary}
    </span>
  );
}
