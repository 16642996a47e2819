import { useEffect } from 'react';
import { useHostsStore } from '../state/hosts-store';
import { useSessionsStore } from '../state/sessions-store';
import { useBondsStore } from '../state/bonds-store';
import { HostView } from './host-view';
import { HostForm } from './host-form';
import { ImportHosts } from './import-hosts';
import { Sidebar } from './sidebar';
import { FleetOverview } from './fleet/fleet-overview';
import { FleetApply } from './fleet/fleet-apply';
import { FleetRunsList, FleetRunView } from './fleet/fleet-run-view';
import { useFleetStore } from '../state/fleet-store';
import { HistoryView } from './history/history-view';

export function App() {
  const { hosts, loaded, loadError, storeProblem, secretsProblem, appInfo, view, init: initHosts, show, addHost, updateHost, removeHost } = useHostsStore();
  const initSessions = useSessionsStore((s) => s.init);
  const initBonds = useBondsStore((s) => s.init);
  const initFleet = useFleetStore((s) => s.init);
  const states = useSessionsStore((s) => s.states);
  useEffect(() => {
    const stopHosts = initHosts();
    let stop: (() => void) | undefined;
    let stopBonds: (() => void) | undefined;
    let stopFleet: (() => void) | undefined;
    void initSessions().then((off) => (stop = off));
    void initBonds().then((off) => (stopBonds = off));
    void initFleet().then((off) => (stopFleet = off));
    return () => {
      stopHosts();
      stop?.();
      stopBonds?.();
      stopFleet?.();
    };
  }, [initHosts, initSessions, initBonds, initFleet]);

  const current = view.kind === 'host' || view.kind === 'edit-host' ? hosts.find((h) => h.id === view.id) : undefined;
  return (
    <div className="layout">
      <Sidebar hosts={hosts} states={states} view={view} onShow={show} />
      <main className="content">
        {storeProblem ? (
          <div className="banner warning" role="alert">
            <strong>Host list problem.</strong> {storeProblem.message} The unreadable file is at <code>{storeProblem.keptAs}</code>.
          </div>
        ) : null}
        {secretsProblem ? (
          <div className="banner warning" role="alert">
            <strong>Saved passwords problem.</strong> {secretsProblem.message} The unreadable file is at <code>{secretsProblem.keptAs}</code>.
          </div>
        ) : null}
        {loadError ? (
          <div className="banner error" role="alert">
            {loadError.message}
          </div>
        ) : null}
        {appInfo?.mode === 'browser' && !appInfo.secretsPersisted ? (
          <p className="mode-note">Browser mode: passwords and passphrases are kept in memory only.</p>
        ) : null}
        {!loaded ? <p className="muted">Loading…</p> : null}
        {loaded && view.kind === 'welcome' && hosts.length > 0 ? (
          <>
            <FleetOverview hosts={hosts} onShow={show} />
            <FleetRunsList onShow={show} />
          </>
        ) : null}
        {view.kind === 'fleet-apply' ? <FleetApply hosts={hosts} onShow={show} /> : null}
        {view.kind === 'fleet-run' ? <FleetRunView runId={view.id} onShow={show} /> : null}
        {view.kind === 'history' ? <HistoryView hosts={hosts} hostId={view.hostId ?? null} entryId={view.entry ?? null} onShow={show} /> : null}
        {loaded && view.kind === 'welcome' && hosts.length === 0 ? (
          <section className="panel welcome">
            <h2>Welcome to Bondsmith</h2>
            <p>Add the NAS boxes you manage. Bondsmith connects over SSH, shows their interfaces and bonds, and applies every change with a rollback armed on the box.</p>
            <button type="button" className="primary" onClick={() => show({ kind: 'add-host' })}>
              Add your first host
            </button>
          </section>
        ) : null}
        {view.kind === 'import-hosts' ? <ImportHosts onDone={() => show({ kind: 'welcome' })} /> : null}
        {view.kind === 'add-host' ? <HostForm otherHosts={hosts} onSubmit={addHost} onCancel={() => show({ kind: 'welcome' })} /> : null}
        {view.kind === 'edit-host' && current ? (
          <HostForm
            key={current.id}
            host={current}
            otherHosts={hosts.filter((h) => h.id !== current.id)}
            onSubmit={(input) => updateHost(current.id, input)}
            onCancel={() => show({ kind: 'host', id: current.id })}
          />
        ) : null}
        {view.kind === 'host' && current ? (
          <HostView
            key={`${current.id}/${view.kind === 'host' ? (view.bond ?? '') : ''}`}
            focusBond={view.kind === 'host' ? (view.bond ?? null) : null}
            host={current}
            jumpHost={hosts.find((h) => h.id === current.jumpHostId)}
            onEdit={() => show({ kind: 'edit-host', id: current.id })}
            onHistory={() => show({ kind: 'history', hostId: current.id })}
            onRemove={async () => {
              await removeHost(current.id);
            }}
          />
        ) : null}
      </main>
    </div>
  );
}
