import type { ConnectionState, Host } from '../../../preload/contract';
import { ConnectionBadge } from './connection-badge';
import { HostHealth } from './fleet/host-health';
import type { View } from '../state/hosts-store';

export function Sidebar(props: { hosts: readonly Host[]; states: Readonly<Record<string, ConnectionState>>; view: View; onShow: (view: View) => void }) {
  const selected = props.view.kind === 'host' || props.view.kind === 'edit-host' ? props.view.id : null;
  return (
    <nav className="sidebar" aria-label="Hosts">
      <div className="brand">Bondsmith</div>
      <button type="button" className="add-host" onClick={() => props.onShow({ kind: 'add-host' })}>
        + Add host
      </button>
      <button type="button" className="import-hosts" onClick={() => props.onShow({ kind: 'import-hosts' })}>
        Import from SSH config
      </button>
      {props.hosts.length > 0 ? (
        <button type="button" className={props.view.kind === 'welcome' ? 'fleet-nav selected' : 'fleet-nav'} onClick={() => props.onShow({ kind: 'welcome' })}>
          Fleet overview
        </button>
      ) : null}
      <button type="button" className={props.view.kind === 'history' ? 'fleet-nav selected' : 'fleet-nav'} aria-current={props.view.kind === 'history' ? 'page' : undefined} onClick={() => props.onShow({ kind: 'history' })}>
        History
      </button>
      {props.hosts.length === 0 ? <p className="muted">No hosts yet.</p> : null}
      <ul>
        {props.hosts.map((host) => (
          <li key={host.id}>
            <button
              type="button"
              className={host.id === selected ? 'host-link selected' : 'host-link'}
              aria-current={host.id === selected ? 'page' : undefined}
              onClick={() => props.onShow({ kind: 'host', id: host.id })}
            >
              <span className="host-label">{host.label}</span>
              <span className="host-address">
                {host.user}@{host.address}
                {host.port !== 22 ? `:${host.port}` : ''}
              </span>
              <ConnectionBadge state={props.states[host.id]?.state} />
              <HostHealth host={host} />
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
