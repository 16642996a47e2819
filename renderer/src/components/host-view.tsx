import { useEffect } from 'react';
import type { Host } from '../../../preload/contract';
import { useSessionsStore } from '../state/sessions-store';
import { ConnectionBadge } from './connection-badge';
import { HostDetail } from './host-detail';
import { HostKeyPrompt } from './host-key-prompt';
import { InterfacesTable } from './interfaces-table';
import { PendingBanner } from './pending-banner';
import { BondWorkflow } from './editor/bond-workflow';
import { useBondsStore } from '../state/bonds-store';
import { nextBondName, specFromFacts } from '../state/spec-from-facts';
import { defaultBondSpec } from '../../../preload/contract';

const AUTO_REFRESH_MS = 30_000;

/** One host: its live session, the host-key decision, and what discovery found. */
export function HostView(props: { host: Host; jumpHost: Host | undefined; onEdit: () => void; onRemove: () => Promise<void> }) {
  const { host } = props;
  const state = useSessionsStore((s) => s.states[host.id]);
  const result = useSessionsStore((s) => s.discovery[host.id]);
  const refreshing = useSessionsStore((s) => Boolean(s.refreshing[host.id]));
  const lastError = useSessionsStore((s) => s.lastError[host.id] ?? null);
  const { connect, disconnect, trust, refresh } = useSessionsStore.getState();
  const ready = state?.state === 'ready';

  useEffect(() => {
    if (!ready) return;
    void refresh(host.id);
    const timer = setInterval(() => void refresh(host.id), AUTO_REFRESH_MS);
    return () => clearInterval(timer);
  }, [ready, host.id, refresh]);

  const facts = result?.facts ?? null;
  const stage = useBondsStore((b) => b.stage);
  const { open, askDelete } = useBondsStore.getState();
  const editorOpen = stage.kind !== 'closed' && stage.hostId === host.id;
  const busy = state?.state === 'connecting' || state?.state === 'reconnecting';
  return (
    <>
      <section className="panel" aria-label={`Connection to ${host.label}`}>
        <header className="panel-header">
          <h2>{host.label}</h2>
          <ConnectionBadge state={state?.state} />
        </header>
        <div className="toolbar">
          {ready || busy ? (
            <button type="button" onClick={() => void disconnect(host.id)}>
              Disconnect
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void connect(host.id)}>
              Connect
            </button>
          )}
          <button type="button" disabled={!ready || refreshing} onClick={() => void refresh(host.id)}>
            {refreshing ? 'Refreshing…' : 'Refresh'}
          </button>
          {result?.durationMs !== null && result?.durationMs !== undefined ? <span className="muted small">Discovered in {result.durationMs} ms</span> : null}
        </div>
        {state?.hostKey && (state.state === 'awaiting-trust' || state.hostKey.knownFingerprint) ? (
          <HostKeyPrompt hostKey={state.hostKey} onTrust={() => void trust(host.id, state.hostKey?.fingerprint ?? '')} onReject={() => void disconnect(host.id)} />
        ) : null}
        {state?.state === 'failed' && state.reason && !state.hostKey?.knownFingerprint ? (
          <div className="banner error" role="alert">
            {state.reason.message}
          </div>
        ) : null}
        {lastError ? (
          <div className="banner error" role="alert">
            {lastError.message}
          </div>
        ) : null}
        {result?.error ? (
          <div className="banner error" role="alert">
            Discovery failed: {result.error.message}
          </div>
        ) : null}
      </section>
      <BondWorkflow hostId={host.id} onDone={() => void refresh(host.id)} />
      {facts ? (
        <section className="panel" aria-label={`Interfaces of ${host.label}`}>
          <header className="panel-header">
            <h2>Interfaces</h2>
            <span className="muted small">
              {facts.hostname} · {facts.os.kind === 'truenas' ? `TrueNAS ${facts.os.truenasVersion ?? ''}` : facts.os.pretty} · kernel {facts.os.kernel}
            </span>
          </header>
          {!editorOpen ? <PendingBanner hostId={host.id} facts={facts} onResolved={() => void refresh(host.id)} /> : null}
          {facts.warnings.map((w) => (
            <div key={w} className="banner warning" role="status">
              {w}
            </div>
          ))}
          <div className="toolbar">
            <button type="button" className="primary" disabled={!ready || editorOpen} onClick={() => void open(host.id, defaultBondSpec(nextBondName(facts)), false)}>
              Add Interface
            </button>
          </div>
          <InterfacesTable
            facts={facts}
            onEditBond={
              ready && !editorOpen
                ? (name) => {
                    const spec = specFromFacts(facts, name);
                    if (spec) void open(host.id, spec, true);
                  }
                : null
            }
            onDeleteBond={ready && !editorOpen ? (name) => askDelete(host.id, name) : null}
          />
        </section>
      ) : null}
      <HostDetail host={host} jumpHost={props.jumpHost} onEdit={props.onEdit} onRemove={props.onRemove} />
    </>
  );
}
