import { useState } from 'react';
import type { Host } from '../../../preload/contract';

const AUTH_LABEL = { agent: 'SSH agent', key: 'Key file', password: 'Password' } as const;

export function HostDetail(props: { host: Host; jumpHost: Host | undefined; onEdit: () => void; onRemove: () => Promise<void> }) {
  const { host } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <section className="panel" aria-label={`Host ${host.label}`}>
      <header className="panel-header">
        <h2>Connection settings</h2>
        <div className="actions">
          <button type="button" onClick={props.onEdit}>
            Edit host
          </button>
          {confirming ? (
            <>
              <button type="button" className="danger" onClick={() => void props.onRemove()}>
                Confirm remove
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Remove host
            </button>
          )}
        </div>
      </header>
      <dl className="facts">
        <dt>Address</dt>
        <dd>
          {host.address}:{host.port}
        </dd>
        <dt>User</dt>
        <dd>
          {host.user}
          {host.useSudo ? ' (sudo for changes)' : ''}
        </dd>
        <dt>Authentication</dt>
        <dd>
          {AUTH_LABEL[host.auth.kind]}
          {host.auth.kind === 'key' ? ` — ${host.auth.keyPath}` : ''}
          {host.hasSecret ? ' (secret stored)' : ''}
        </dd>
        <dt>Jump host</dt>
        <dd>{props.jumpHost ? props.jumpHost.label : 'None'}</dd>
        <dt>Tags</dt>
        <dd>{host.tags.length > 0 ? host.tags.join(', ') : 'None'}</dd>
      </dl>
    </section>
  );
}
