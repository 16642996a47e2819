import { Fragment, useEffect, useRef, useState } from 'react';
import type { BondStatus, HostFacts, NetInterface } from '../../../preload/contract';
import { BondDetail } from './bond-detail';

const KIND_LABEL: Readonly<Record<NetInterface['kind'], string>> = {
  physical: 'Physical',
  bond: 'Link Aggregation',
  vlan: 'VLAN',
  bridge: 'Bridge',
  loopback: 'Loopback',
  virtual: 'Virtual',
  other: 'Other',
};

function linkText(nic: NetInterface): string {
  if (nic.operState === 'up' || nic.carrier === true) return 'Up';
  if (nic.operState === 'down' || nic.carrier === false || nic.operState === 'lowerlayerdown') return 'Down';
  return nic.operState === 'unknown' ? 'Unknown' : nic.operState;
}

/** A dynamic address was put there by a client: a DHCP lease (IPv4) or autoconfiguration (IPv6). */
function addressText(a: NetInterface['addresses'][number]): string {
  const cidr = `${a.address}/${a.prefix}`;
  if (a.dynamic !== true) return cidr;
  return a.family === 'inet' ? `${cidr} (DHCP)` : `${cidr} (auto)`;
}

function speedText(mbps: number | null): string {
  if (mbps === null || mbps <= 0) return '—';
  return mbps >= 1000 ? `${mbps / 1000} Gb/s` : `${mbps} Mb/s`;
}

/** Like TrueNAS's Network → Interfaces, with the management path marked and bonds opening to LACP detail. */
export function InterfacesTable(props: { facts: HostFacts; initiallyOpen?: string | null; onEditBond: ((name: string) => void) | null; onDeleteBond: ((name: string) => void) | null }) {
  const { facts } = props;
  const [open, setOpen] = useState<Readonly<Record<string, boolean>>>(() => (props.initiallyOpen ? { [props.initiallyOpen]: true } : {}));
  // A bond opened from the fleet overview: brought into view once, with the focus on it.
  const focused = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    focused.current?.scrollIntoView({ block: 'center' });
    focused.current?.focus();
  }, []);
  const bonds = new Map<string, BondStatus>(facts.bonds.map((b) => [b.name, b]));
  const rows = facts.interfaces.filter((nic) => nic.kind !== 'loopback');
  return (
    <table className="interfaces" aria-label="Interfaces">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Link</th>
          <th scope="col">Speed</th>
          <th scope="col">Addresses</th>
          <th scope="col">Member of</th>
          <th scope="col">MTU</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((nic) => {
          const bond = bonds.get(nic.name);
          const expanded = Boolean(open[nic.name]);
          const worst = bond?.diagnosis.find((d) => d.severity === 'error') ?? bond?.diagnosis.find((d) => d.severity === 'warning');
          return (
            <Fragment key={nic.name}>
              <tr className={nic.isManagement ? 'mgmt-row' : undefined}>
                <th scope="row">
                  {bond ? (
                    <button
                      type="button"
                      className="link-button"
                      ref={nic.name === props.initiallyOpen ? focused : undefined}
                      aria-expanded={expanded}
                      aria-label={`${expanded ? 'Hide' : 'Show'} details of ${nic.name}`}
                      onClick={() => setOpen({ ...open, [nic.name]: !expanded })}
                    >
                      {expanded ? '▾' : '▸'} {nic.name}
                    </button>
                  ) : (
                    nic.name
                  )}
                  {nic.isManagement ? (
                    <span className="tag tag-mgmt" title="This interface carries Bondsmith's SSH session">
                      management
                    </span>
                  ) : null}
                  {worst ? <span className={`tag tag-${worst.severity}`}>{worst.severity === 'error' ? 'problem' : 'check'}</span> : null}
                  {nic.description ? <div className="muted small">{nic.description}</div> : null}
                </th>
                <td>{KIND_LABEL[nic.kind]}</td>
                <td className={linkText(nic) === 'Up' ? 'link-up' : 'link-down'}>{linkText(nic)}</td>
                <td>{speedText(nic.speedMbps)}</td>
                <td>{nic.addresses.filter((a) => a.scope !== 'link').map(addressText).join(', ') || '—'}</td>
                <td>{nic.master ?? '—'}</td>
                <td>{nic.mtu ?? '—'}</td>
              </tr>
              {bond && expanded ? (
                <tr className="detail-row">
                  <td colSpan={7}>
                    <BondDetail bond={bond} />
                    {bond.protocol ? (
                      <div className="actions">
                        <button type="button" disabled={!props.onEditBond} onClick={() => props.onEditBond?.(bond.name)}>
                          Edit {bond.name}
                        </button>
                        <button type="button" className="danger" disabled={!props.onDeleteBond} onClick={() => props.onDeleteBond?.(bond.name)}>
                          Delete {bond.name}
                        </button>
                      </div>
                    ) : null}
                  </td>
                </tr>
              ) : null}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
