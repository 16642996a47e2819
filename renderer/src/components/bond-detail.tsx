import type { BondStatus, LacpPortInfo } from '../../../preload/contract';
import { BondPicture } from './picture/bond-picture';
import { SwitchGuidanceView } from './picture/switch-guidance-view';

const PROTOCOL_TEXT = { LACP: 'LACP (802.3ad)', FAILOVER: 'FAILOVER (active-backup)', LOADBALANCE: 'LOADBALANCE (balance-xor)' } as const;

function lacpSide(info: LacpPortInfo | null): string {
  if (!info) return '—';
  return `${info.systemMac} key ${info.key} port ${info.portNumber} state ${info.state} (${info.stateFlags.join(', ') || 'none'})`;
}

/** Per-member health and, for LACP, the actor/partner details and the diagnosis in plain words. */
export function BondDetail(props: { bond: BondStatus }) {
  const { bond } = props;
  const agg = bond.lacp?.activeAggregator ?? null;
  return (
    <section className="bond-detail" aria-label={`Bond ${bond.name} details`}>
      <BondPicture bond={bond} />
      <dl className="facts compact">
        <dt>Protocol</dt>
        <dd>{bond.protocol ? PROTOCOL_TEXT[bond.protocol] : bond.mode}</dd>
        {bond.xmitHashPolicy ? (
          <>
            <dt>Transmit hash</dt>
            <dd>{bond.xmitHashPolicy}</dd>
          </>
        ) : null}
        {bond.lacpduRate ? (
          <>
            <dt>LACPDU rate</dt>
            <dd>{bond.lacpduRate === 'FAST' ? 'FAST (every 1 s)' : 'SLOW (every 30 s)'}</dd>
          </>
        ) : null}
        <dt>Link monitoring</dt>
        <dd>{bond.miimonMs ? `miimon ${bond.miimonMs} ms` : 'none'}</dd>
        {bond.activeMember ? (
          <>
            <dt>Active member</dt>
            <dd>{bond.activeMember}</dd>
          </>
        ) : null}
        {agg ? (
          <>
            <dt>Aggregator</dt>
            <dd>
              ID {agg.id}, {agg.ports} port(s), partner MAC <code>{agg.partnerMac}</code>, partner key {agg.partnerKey}
            </dd>
          </>
        ) : null}
      </dl>
      <div className="diagnosis-and-switch">
        <ul className="diagnosis" aria-label={`Diagnosis of ${bond.name}`}>
          {bond.diagnosis.map((d) => (
            <li key={`${d.code}-${d.member ?? ''}`} className={`diag diag-${d.severity}`}>
              {d.message}
            </li>
          ))}
        </ul>
        <SwitchGuidanceView bond={bond} />
      </div>
      <table className="members" aria-label={`Members of ${bond.name}`}>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Link</th>
            <th scope="col">Speed</th>
            <th scope="col">Failures</th>
            {bond.protocol === 'LACP' ? (
              <>
                <th scope="col">Aggregator</th>
                <th scope="col">Actor</th>
                <th scope="col">Partner</th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {bond.members.map((m) => (
            <tr key={m.name}>
              <th scope="row">
                {m.name}
                {bond.activeMember === m.name ? <span className="tag tag-ok">active</span> : null}
                {bond.primary === m.name ? <span className="tag">primary</span> : null}
              </th>
              <td className={m.miiStatus === 'up' ? 'link-up' : 'link-down'}>{m.miiStatus}</td>
              <td>{m.speedMbps ? `${m.speedMbps} Mb/s` : '—'}</td>
              <td>{m.linkFailureCount ?? '—'}</td>
              {bond.protocol === 'LACP' ? (
                <>
                  <td>{m.aggregatorId ?? '—'}</td>
                  <td className="small">{lacpSide(m.actor)}</td>
                  <td className="small">{lacpSide(m.partner)}</td>
                </>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
