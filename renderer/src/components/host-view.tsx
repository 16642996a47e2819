import { useEffect } from 'react';
import type { Host, HostView as HostViewData } from '../../../preload/contract';
import { useSessionsStore } from '../state/sessions-store';
import { ConnectionBadge } from './connection-badge';
import { HostDetail } from './host-detail';
import { HostKeyPrompt } from './host-key-prompt';
import { InterfacesTable } from './interfaces-table';
import { PendingBanner } from './pending-banner';
import { RecoveredBanner } from './recovered-banner';
import { BondWorkflow } from './editor/bond-workflow';
import { useBondsStore } from '../state/bonds-store';
import { nextBondName } from '../state/next-bond-name';
import { defaultBondSpec } from '../../../preload/contract';

const AUTO_REFRESH_MS = 30_000;

const BONDING_TEXT: Readonly<Record<HostViewData['bonding'], string>> = {
  loaded: 'available',
  builtin: 'built in',
  loadable: 'available (module loads on first use)',
  missing: 'missing from this kernel',
  unknown: 'not known',
};

/** One host: its live session, the host-key decision, and what discovery found. */
export function HostView(props: { host: Host; jumpHost: Host | undefined; focusBond?: string | null; onEdit: () => void; onHistory: () => void; onRemove: () => Promise<void> }) {
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
  const view = result?.view ?? null;
  const changeable = ready && view !== null && view.readOnlyReason === null;
  const allProblems = useBondsStore((b) => b.problems);
  const problems = allProblems.filter((p) => p.hostId === host.id);
  const allRecovered = useBondsStore((b) => b.recovered);
  const recovered = allRecovered.filter((n) => n.hostId === host.id);
  const stage = useBondsStore((b) => b.stage);
  const { open, askDelete, dismissProblem, dismissRecovered } = useBondsStore.getState();
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
          <button type="button" onClick={props.onHistory}>
            History
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
              {facts.hostname} · {facts.os.pretty} · kernel {facts.os.kernel}
              {view ? ` · network: ${view.stack} · bonding ${BONDING_TEXT[view.bonding]}` : ''}
              {view?.driver ? ` · changes through ${view.driver.label}` : ''}
            </span>
          </header>
          {!editorOpen && view ? <PendingBanner hostId={host.id} pending={view.pending} collectedAt={facts.collectedAt} onResolved={() => void refresh(host.id)} /> : null}
          <RecoveredBanner notices={recovered} onDismiss={dismissRecovered} />
          {view?.readOnlyReason ? (
            <div className="banner warning" role="status">
              {view.readOnlyReason}
            </div>
          ) : null}
          {problems.map((p) => (
            <div key={p.message} className="banner error" role="alert">
              {p.message}{' '}
              <button type="button" onClick={() => dismissProblem(p)}>
                Dismiss
              </button>
            </div>
          ))}
          {facts.warnings.map((w) => (
            <div key={w} className="banner warning" role="status">
              {w}
            </div>
          ))}
          <div className="toolbar">
            <button type="button" className="primary" disabled={!changeable || editorOpen} onClick={() => void open(host.id, defaultBondSpec(nextBondName(facts)), false)}>
              Add Interface
            </button>
          </div>
          <InterfacesTable
            facts={facts}
            initiallyOpen={props.focusBond ?? null}
            onEditBond={
              changeable && !editorOpen
                ? (name) => {
                    const spec = view?.bonds.find((b) => b.name === name)?.spec;
                    if (spec) void open(host.id, spec, true);
                  }
                : null
            }
            onDeleteBond={changeable && !editorOpen ? (name) => askDelete(host.id, name) : null}
          />
        </section>
      ) : null}
      <HostDetail host={host} jumpHost={props.jumpHost} onEdit={props.onEdit} onRemove={props.onRemove} />
    </>
  );
}
