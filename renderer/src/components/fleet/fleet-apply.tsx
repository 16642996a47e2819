import { useEffect, useMemo, useState } from 'react';
import { defaultBondSpec, type BondSpec, type EligibleMember, type FleetHostPreview, type Host } from '../../../../preload/contract';
import { useFleetStore } from '../../state/fleet-store';
import { firstBondNameFreeOnAll } from '../../state/next-bond-name';
import type { View } from '../../state/hosts-store';
import { useSessionsStore } from '../../state/sessions-store';
import { BondEditor } from '../editor/bond-editor';
import { FormError } from '../form-error';
import { FleetReview } from './fleet-review';
import './fleet.css';

type Stage = { readonly kind: 'spec' } | { readonly kind: 'targets'; readonly spec: BondSpec };

/** Ports named on any host Bondsmith has read: the spec's members are port names, mapped per host later. */
function portNames(discovery: ReturnType<typeof useSessionsStore.getState>['discovery']): EligibleMember[] {
  const names = new Set<string>();
  for (const result of Object.values(discovery)) for (const nic of result.facts?.interfaces ?? []) if (nic.kind === 'physical' || nic.kind === 'virtual') names.add(nic.name);
  return [...names].sort().map((name) => ({ name, speedMbps: null, link: 'unknown', carriesAddresses: [], carriesManagement: false, eligible: true, reason: null }));
}

/** Beside each port name, the hosts that have it: a port only some have needs mapping on the others. */
function portHolders(hosts: readonly Host[], discovery: ReturnType<typeof useSessionsStore.getState>['discovery']): (name: string) => string {
  const read = hosts.filter((h) => discovery[h.id]?.facts);
  return (name) => {
    const having = read.filter((h) => discovery[h.id]?.facts?.interfaces.some((i) => i.name === name)).map((h) => h.label);
    if (having.length === read.length) return read.length === 1 ? `on ${having[0] ?? ''}` : `on all ${read.length} hosts${read.length < hosts.length ? ' read so far' : ''}`;
    return `only on ${having.join(', ')}`;
  };
}

/** Fleet apply: one bond spec (new, or taken from a bond on one host), the target hosts, then the review. */
export function FleetApply(props: { hosts: readonly Host[]; onShow: (view: View) => void }) {
  const discovery = useSessionsStore((s) => s.discovery);
  const [stage, setStage] = useState<Stage>({ kind: 'spec' });
  const [source, setSource] = useState('new');
  const sources = useMemo(
    () =>
      props.hosts.flatMap((h) =>
        (discovery[h.id]?.view?.bonds ?? []).flatMap((b) => (b.spec ? [{ key: `${h.id}/${b.name}`, label: `${b.name} on ${h.label}`, spec: b.spec }] : [])),
      ),
    [props.hosts, discovery],
  );
  const freeName = useMemo(() => firstBondNameFreeOnAll(props.hosts.flatMap((h) => discovery[h.id]?.facts ?? [])), [props.hosts, discovery]);
  const initial = sources.find((s) => s.key === source)?.spec ?? defaultBondSpec(freeName);
  const candidates = useMemo(() => portNames(discovery), [discovery]);
  const portNote = useMemo(() => portHolders(props.hosts, discovery), [props.hosts, discovery]);

  if (stage.kind === 'targets') return <FleetTargets hosts={props.hosts} spec={stage.spec} onBack={() => setStage({ kind: 'spec' })} onShow={props.onShow} />;
  return (
    <>
      <section className="panel" aria-label="Roll out a bond">
        <header className="panel-header">
          <h2>Roll out a bond to several hosts · 1 of 2: the bond</h2>
        </header>
        <p className="muted">
          Describe the bond once. Its members are port names; the next step maps them on each host (by default the same names) and shows, before anything runs, every host&apos;s plan and
          the hosts that cannot take it.
        </p>
        <label>
          Start from{' '}
          <select value={source} onChange={(e) => setSource(e.target.value)} aria-label="Start from">
            <option value="new">A new bond</option>
            {sources.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </section>
      <BondEditor
        key={source}
        initial={initial}
        editing={false}
        candidates={candidates}
        serverErrors={{}}
        formError={null}
        busy={false}
        submitLabel="Next: choose hosts"
        portNote={portNote}
        onSave={(spec) => setStage({ kind: 'targets', spec })}
        onCancel={() => props.onShow({ kind: 'welcome' })}
      />
    </>
  );
}

function FleetTargets(props: { hosts: readonly Host[]; spec: BondSpec; onBack: () => void; onShow: (view: View) => void }) {
  const { spec } = props;
  const { preview, previewing, error, runPreview, clearPreview, start } = useFleetStore();
  // A review belongs to this spec and these hosts: one left from an earlier rollout must not show (or start) here.
  useEffect(() => clearPreview(), [clearPreview]);
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const [mapping, setMapping] = useState<Readonly<Record<string, readonly string[]>>>({});
  const [canary, setCanary] = useState<string | null>(null);
  const [parallelism, setParallelism] = useState(1);
  const [autoKeepCanary, setAutoKeepCanary] = useState(false);
  const [autoKeepRest, setAutoKeepRest] = useState(true);
  const [timeout, setTimeoutSeconds] = useState(60);
  const [starting, setStarting] = useState(false);
  const tags = useMemo(() => [...new Set(props.hosts.flatMap((h) => h.tags))].sort(), [props.hosts]);
  const targets = chosen.map((hostId) => ({ hostId, members: mapping[hostId] ?? null }));
  const draft = { spec, targets, checkinTimeoutSeconds: timeout };
  const ready = (preview ?? []).filter((p) => p.problem === null && chosen.includes(p.hostId));
  const unplanned = preview ? props.hosts.filter((h) => chosen.includes(h.id) && !preview.some((p) => p.hostId === h.id)) : [];
  const canaryId = canary !== null && ready.some((p) => p.hostId === canary) ? canary : (ready[0]?.hostId ?? null);
  const toggle = (id: string, on: boolean): void => setChosen(on ? [...chosen, id] : chosen.filter((c) => c !== id));
  const remap = (hostId: string, members: readonly string[]): void => {
    const next = { ...mapping, [hostId]: members };
    setMapping(next);
    void runPreview({ ...draft, targets: chosen.map((id) => ({ hostId: id, members: next[id] ?? null })) });
  };

  const go = async (): Promise<void> => {
    if (canaryId === null) return;
    setStarting(true);
    const run = await start({
      spec,
      targets: ready.map((p) => ({ hostId: p.hostId, members: mapping[p.hostId] ? [...(mapping[p.hostId] ?? [])] : null })),
      checkinTimeoutSeconds: timeout,
      canaryHostId: canaryId,
      parallelism,
      autoKeep: { canary: autoKeepCanary, rest: autoKeepRest },
    });
    setStarting(false);
    if (run) props.onShow({ kind: 'fleet-run', id: run.runId });
  };

  return (
    <>
      <section className="panel" aria-label="Target hosts">
        <header className="panel-header">
          <h2>Roll out {spec.name} · 2 of 2: hosts, review and start</h2>
          <span className="muted small">
            {spec.protocol} over {spec.members.join(', ')}
            {spec.dhcp ? ' · DHCP' : spec.aliases.length > 0 ? ` · ${spec.aliases.map((a) => `${a.address}/${a.prefix}`).join(', ')}` : ' · no addresses'}
          </span>
        </header>
        {spec.aliases.length > 0 ? (
          <div className="banner warning" role="status">
            This bond has static addresses: every target gets the same ones. That is right only where each host is on its own network.
          </div>
        ) : null}
        <div className="toolbar">
          <span>Choose hosts:</span>
          {tags.map((t) => (
            <button key={t} type="button" onClick={() => setChosen([...new Set([...chosen, ...props.hosts.filter((h) => h.tags.includes(t)).map((h) => h.id)])])}>
              + tag {t}
            </button>
          ))}
          <button type="button" onClick={() => setChosen(props.hosts.map((h) => h.id))}>
            All
          </button>
          <button type="button" onClick={() => setChosen([])}>
            None
          </button>
        </div>
        <ul className="fleet-targets" aria-label="Hosts to change">
          {props.hosts.map((h) => (
            <li key={h.id}>
              <label>
                <input type="checkbox" checked={chosen.includes(h.id)} onChange={(e) => toggle(h.id, e.target.checked)} /> {h.label}
                <span className="muted small"> {h.tags.join(', ')}</span>
              </label>
            </li>
          ))}
        </ul>
        <div className="form-grid fleet-options">
          <label>
            Check-in timeout (s){' '}
            <input type="number" min={10} max={300} value={timeout} onChange={(e) => setTimeoutSeconds(Number(e.target.value))} aria-label="Check-in timeout" />
          </label>
          <label>
            Hosts at a time after the canary{' '}
            <input type="number" min={1} max={16} value={parallelism} onChange={(e) => setParallelism(Number(e.target.value))} aria-label="Hosts at a time" />
          </label>
          <label>
            <input type="checkbox" checked={autoKeepCanary} onChange={(e) => setAutoKeepCanary(e.target.checked)} /> Keep the canary automatically when its checks pass
          </label>
          <label>
            <input type="checkbox" checked={autoKeepRest} onChange={(e) => setAutoKeepRest(e.target.checked)} /> Keep the other hosts automatically when their checks pass
          </label>
        </div>
        {timeout < 10 || timeout > 300 ? <p className="form-error">Check-in timeout is between 10 and 300 s.</p> : null}
        {parallelism < 1 || parallelism > 16 ? <p className="form-error">Between 1 and 16 hosts at a time.</p> : null}
        <div className="actions">
          <button type="button" className="primary" disabled={chosen.length === 0 || previewing || timeout < 10 || timeout > 300} onClick={() => void runPreview(draft)}>
            {previewing ? 'Checking hosts…' : preview ? 'Check hosts again' : 'Check hosts and plan'}
          </button>
          <button type="button" onClick={props.onBack}>
            Back to the bond
          </button>
        </div>
        {unplanned.length > 0 ? (
          <p className="banner warning" role="status">
            {unplanned.map((h) => h.label).join(', ')} {unplanned.length === 1 ? 'was' : 'were'} chosen after the check: check the hosts again to plan for {unplanned.length === 1 ? 'it' : 'them'}.
          </p>
        ) : null}
        <FormError error={error} />
      </section>
      {preview ? (
        <FleetReview
          spec={spec}
          previews={preview.filter((p: FleetHostPreview) => chosen.includes(p.hostId))}
          canaryId={canaryId}
          onCanary={setCanary}
          onRemap={remap}
          busy={previewing || unplanned.length > 0}
          starting={starting}
          parallelism={parallelism}
          onStart={() => void go()}
        />
      ) : null}
    </>
  );
}
