import { useState } from 'react';
import type { AppError, HostInput, ImportedHost } from '../../../preload/contract';
import { api } from '../api/api';
import { useHostsStore } from '../state/hosts-store';
import { FormError } from './form-error';

function toInput(h: ImportedHost, jumpHostId: string | null): HostInput {
  const key = h.identityFiles[0];
  return {
    label: h.alias.slice(0, 64),
    address: h.hostName,
    port: h.port,
    user: h.user ?? 'root',
    auth: key ? { kind: 'key', keyPath: key } : { kind: 'agent' },
    jumpHostId,
    tags: ['ssh-config'],
    useSudo: h.user !== null && h.user !== 'root',
  };
}

/** Import hosts from ~/.ssh/config (or another file): preview, pick, add. */
export function ImportHosts(props: { onDone: () => void }) {
  const [path, setPath] = useState('');
  const [found, setFound] = useState<readonly ImportedHost[] | null>(null);
  const [warnings, setWarnings] = useState<readonly string[]>([]);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<AppError | null>(null);
  const [results, setResults] = useState<readonly string[]>([]);
  const { hosts, addHost } = useHostsStore();

  const read = async (): Promise<void> => {
    setError(null);
    const res = await api.call('hosts.importSshConfig', { path: path.trim() === '' ? null : path.trim() });
    if (!res.ok) return setError(res.error);
    setFound(res.value.hosts);
    setWarnings(res.value.warnings);
    setChosen(new Set(res.value.hosts.map((h) => h.alias)));
  };

  const add = async (): Promise<void> => {
    const messages: string[] = [];
    const byLabel = new Map(useHostsStore.getState().hosts.map((h) => [h.label, h.id]));
    // Jump hosts first, so hosts behind them can point at them.
    const picked = (found ?? []).filter((h) => chosen.has(h.alias)).sort((a, b) => Number(a.proxyJump !== null) - Number(b.proxyJump !== null));
    for (const h of picked) {
      const jumpAlias = h.proxyJump?.split(',')[0]?.replace(/^.*@/, '').replace(/:\d+$/, '') ?? null;
      const jumpId = jumpAlias ? (byLabel.get(jumpAlias) ?? null) : null;
      const err = await addHost(toInput(h, jumpId));
      messages.push(err ? `${h.alias}: ${err.message}` : `${h.alias}: added${jumpAlias && !jumpId ? ` (jump host ${jumpAlias} not in the list; add it and set it)` : ''}`);
      if (!err) byLabel.set(h.alias, useHostsStore.getState().hosts.at(-1)?.id ?? '');
    }
    setResults(messages);
  };

  return (
    <section className="panel" aria-label="Import from SSH config">
      <h2>Import from SSH config</h2>
      <div className="field">
        <label htmlFor="ssh-config-path">Config file</label>
        <input id="ssh-config-path" value={path} placeholder="~/.ssh/config" onChange={(e) => setPath(e.target.value)} />
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void read()}>
          Read hosts
        </button>
        <button type="button" onClick={props.onDone}>
          Close
        </button>
      </div>
      <FormError error={error} />
      {warnings.map((w) => (
        <p key={w} className="banner warning">
          {w}
        </p>
      ))}
      {found ? (
        <>
          <ul className="candidates" aria-label="Hosts found">
            {found.length === 0 ? <li className="muted">No concrete hosts in that file (wildcard patterns are not hosts).</li> : null}
            {found.map((h) => (
              <li key={h.alias}>
                <label>
                  <input
                    type="checkbox"
                    checked={chosen.has(h.alias)}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(h.alias);
                      else next.delete(h.alias);
                      setChosen(next);
                    }}
                  />
                  {h.alias}
                </label>
                <span className="muted small">
                  {h.user ? `${h.user}@` : ''}
                  {h.hostName}:{h.port}
                  {h.proxyJump ? ` via ${h.proxyJump}` : ''}
                  {h.identityFiles[0] ? ` · key ${h.identityFiles[0]}` : ' · agent'}
                  {hosts.some((x) => x.label === h.alias) ? ' · already in the list' : ''}
                </span>
              </li>
            ))}
          </ul>
          <div className="actions">
            <button type="button" className="primary" disabled={chosen.size === 0} onClick={() => void add()}>
              Add selected hosts
            </button>
          </div>
        </>
      ) : null}
      {results.length > 0 ? (
        <ul aria-label="Import results">
          {results.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
