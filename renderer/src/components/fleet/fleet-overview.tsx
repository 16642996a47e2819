import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionState, DiscoveryResult, Host } from '../../../../preload/contract';
import { useSessionsStore } from '../../state/sessions-store';
import type { View } from '../../state/hosts-store';
import { ConnectionBadge } from '../connection-badge';
import { hostRow, matchesProblem, sortRows, type BondRow, type HostRow, type ProblemFilter, type SortKey } from './fleet-health';
import './fleet.css';

/** While the overview is open, every connected host is read again this often. */
const OVERVIEW_REFRESH_MS = 30_000;

const PROBLEM_FILTERS: readonly { readonly value: ProblemFilter; readonly label: string }[] = [
  { value: 'all', label: 'All hosts' },
  { value: 'problems', label: 'With a problem' },
  { value: 'unreachable', label: 'Unreachable' },
  { value: 'lacp', label: 'LACP not negotiated' },
];

/**
 * Rows are derived once per (host, session state, discovery result): a host whose data did not
 * change keeps its row object, so its memoised row component does not render again.
 */
function useHostRows(hosts: readonly Host[], states: Readonly<Record<string, ConnectionState>>, discovery: Readonly<Record<string, DiscoveryResult>>): HostRow[] {
  const cache = useRef(new Map<string, { host: Host; state: ConnectionState | undefined; result: DiscoveryResult | undefined; row: HostRow }>());
  return useMemo(() => {
    const next = new Map<string, { host: Host; state: ConnectionState | undefined; result: DiscoveryResult | undefined; row: HostRow }>();
    const rows = hosts.map((host) => {
      const state = states[host.id];
      const result = discovery[host.id];
      const hit = cache.current.get(host.id);
      const entry = hit && hit.host === host && hit.state === state && hit.result === result ? hit : { host, state, result, row: hostRow(host, state, result) };
      next.set(host.id, entry);
      return entry.row;
    });
    cache.current = next;
    return rows;
  }, [hosts, states, discovery]);
}

/** The home screen once hosts exist: every host and bond, their health, one click to either. */
export function FleetOverview(props: { hosts: readonly Host[]; onShow: (view: View) => void }) {
  const states = useSessionsStore((s) => s.states);
  const discovery = useSessionsStore((s) => s.discovery);
  const { connect, refresh } = useSessionsStore.getState();
  const [tag, setTag] = useState('');
  const [problem, setProblem] = useState<ProblemFilter>('all');
  const [sort, setSort] = useState<SortKey>('health');
  const rows = useHostRows(props.hosts, states, discovery);
  const tags = useMemo(() => [...new Set(props.hosts.flatMap((h) => h.tags))].sort(), [props.hosts]);
  const shown = useMemo(() => sortRows(rows.filter((r) => (tag === '' || r.host.tags.includes(tag)) && matchesProblem(r, problem)), sort), [rows, tag, problem, sort]);
  const readyIds = rows.filter((r) => r.connection === 'ready').map((r) => r.host.id).join(',');
  const unhealthy = rows.filter((r) => r.level === 'error' || r.level === 'warning').length;

  useEffect(() => {
    if (readyIds === '') return;
    const ids = readyIds.split(',');
    const timer = setInterval(() => {
      for (const id of ids) void refresh(id);
    }, OVERVIEW_REFRESH_MS);
    return () => clearInterval(timer);
  }, [readyIds, refresh]);

  const idle = rows.filter((r) => r.connection === 'idle' || r.connection === 'failed');
  return (
    <section className="panel fleet-overview" aria-label="Fleet overview">
      <header className="panel-header">
        <h2>Fleet</h2>
        <span className="muted small">
          {rows.length} host{rows.length === 1 ? '' : 's'} · {unhealthy === 0 ? 'no problems found' : `${unhealthy} with a problem`}
        </span>
      </header>
      <div className="toolbar fleet-toolbar">
        <label>
          Tag{' '}
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Filter by tag">
            <option value="">Any tag</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show{' '}
          <select value={problem} onChange={(e) => setProblem(e.target.value as ProblemFilter)} aria-label="Filter by problem">
            {PROBLEM_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} aria-label="Sort hosts">
            <option value="health">Health (worst first)</option>
            <option value="name">Name</option>
            <option value="bonds">Number of bonds</option>
          </select>
        </label>
        <span className="fleet-toolbar-gap" />
        <button type="button" disabled={idle.length === 0} onClick={() => idle.forEach((r) => void connect(r.host.id))}>
          Connect all ({idle.length})
        </button>
        <button type="button" disabled={readyIds === ''} onClick={() => readyIds.split(',').forEach((id) => void refresh(id))}>
          Refresh all
        </button>
        <button type="button" className="primary" onClick={() => props.onShow({ kind: 'fleet-apply' })}>
          Roll out a bond…
        </button>
      </div>
      <table className="fleet-table" aria-label="Hosts and bonds">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Connection</th>
            <th scope="col">System · network stack</th>
            <th scope="col">Bonds</th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <FleetHostRow key={row.host.id} row={row} onShow={props.onShow} />
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p className="muted">No host matches these filters.</p> : null}
    </section>
  );
}

const FleetHostRow = memo(function FleetHostRow(props: { row: HostRow; onShow: (view: View) => void }) {
  const { row } = props;
  return (
    <tr className={`fleet-row level-${row.level}`} data-host={row.host.label}>
      <th scope="row">
        <button type="button" className="link-button fleet-host" onClick={() => props.onShow({ kind: 'host', id: row.host.id })}>
          {row.host.label}
        </button>
        <div className="muted small">
          {row.host.user}@{row.host.address}
          {row.host.port !== 22 ? `:${row.host.port}` : ''}
          {row.host.tags.length > 0 ? ` · ${row.host.tags.join(', ')}` : ''}
        </div>
      </th>
      <td>
        <ConnectionBadge state={row.connection} />
      </td>
      <td>
        {row.flavor ?? <span className="muted">not read yet</span>}
        {row.stack ? <div className="muted small">{row.stack}</div> : null}
        {row.readOnlyReason ? <div className="tag tag-warning" title={row.readOnlyReason}>read-only</div> : null}
      </td>
      <td>
        {row.bonds.length === 0 ? (
          <span className="muted">{row.flavor ? 'none' : '—'}</span>
        ) : (
          <ul className="fleet-bonds">
            {row.bonds.map((b) => (
              <FleetBond key={b.name} bond={b} onOpen={() => props.onShow({ kind: 'host', id: row.host.id, bond: b.name })} />
            ))}
          </ul>
        )}
      </td>
      <td>
        <span className={`health health-${row.level}`} aria-label={`Health of ${row.host.label}: ${row.headline}`}>
          <span className="dot" aria-hidden="true" />
          {row.headline}
        </span>
      </td>
    </tr>
  );
});

function FleetBond(props: { bond: BondRow; onOpen: () => void }) {
  const { bond } = props;
  const allUp = bond.membersUp === bond.membersTotal && bond.membersTotal > 0;
  return (
    <li className={`fleet-bond level-${bond.level}`}>
      <button type="button" className="link-button" onClick={props.onOpen} aria-label={`Open ${bond.name}`}>
        {bond.name}
      </button>{' '}
      <span className="muted">{bond.protocol}</span> · <span className={allUp ? 'link-up' : 'link-down'}>{bond.membersUp}/{bond.membersTotal} up</span>
      {bond.lacp ? <span className={`tag lacp lacp-${bond.lacp.replace(/ /g, '-')}`}>{bond.lacp}</span> : null}
      {bond.worst ? <div className={`small diag-${bond.worst.severity}`}>{bond.worst.message}</div> : null}
    </li>
  );
}
