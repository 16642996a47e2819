import { useState } from 'react';
import type { BondStatus, LacpPortInfo } from '../../../../preload/contract';
import { layoutBondPicture, PICTURE, type MemberDrawing } from './bond-picture-layout';
import { groupWords, memberWords, pictureVerdict } from './bond-picture-words';
import { stateBitWords } from './lacp-bits';

/** The bond drawn from its facts: ports, cables, the switch side by aggregator; details on hover or focus. */
export function BondPicture(props: { bond: BondStatus }) {
  const { bond } = props;
  const layout = layoutBondPicture(bond);
  const [selected, setSelected] = useState<string | null>(null);
  const chosen = layout.members.find((d) => d.member.name === selected) ?? null;
  const verdict = pictureVerdict(bond, layout);
  const captionId = `pic-caption-${bond.name}`;
  return (
    <figure className="bond-picture" aria-label={`Picture of ${bond.name}`}>
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label={`Ports, cables and switch of ${bond.name}`}
        aria-describedby={captionId}
        className="pic-svg"
        onMouseLeave={() => setSelected(null)}
      >
        <rect className="pic-host" x={layout.host.x} y={layout.host.y} width={layout.host.w} height={layout.host.h} rx={8} />
        {layout.hostLines.map((line, i) => (
          <text key={line} className={i === 0 ? 'pic-title' : 'pic-text'} x={layout.host.x + 10} y={layout.host.y + 20 + i * PICTURE.lineHeight}>
            {line}
          </text>
        ))}
        {layout.groups.map((g) => (
          <g key={g.key} className={`pic-group pic-tone-${g.tone}`} aria-label={groupWords(g)}>
            <rect x={g.box.x} y={g.box.y} width={g.box.w} height={g.box.h} rx={8} />
            {g.lines.map((line, i) => (
              <text key={line} className={i === 0 ? 'pic-title' : 'pic-text pic-mono'} x={g.labelBox.x} y={g.labelBox.y + 12 + i * PICTURE.lineHeight}>
                {line}
              </text>
            ))}
          </g>
        ))}
        {layout.members.map((d) => (
          <Member key={d.member.name} bond={bond} d={d} selected={selected === d.member.name} onSelect={setSelected} />
        ))}
      </svg>
      <figcaption id={captionId} className="pic-caption">
        <p className="pic-verdict">{verdict}</p>
        <StateDetails drawing={chosen} />
      </figcaption>
      <ul className="visually-hidden" aria-label={`Picture of ${bond.name} in words`}>
        <li>{verdict}</li>
        {layout.groups.map((g) => (
          <li key={g.key}>{groupWords(g)}</li>
        ))}
        {layout.members.map((d) => (
          <li key={d.member.name}>{memberWords(bond, d)}</li>
        ))}
      </ul>
    </figure>
  );
}

function Member(props: { bond: BondStatus; d: MemberDrawing; selected: boolean; onSelect: (name: string | null) => void }) {
  const { d } = props;
  const x1 = d.port.x + d.port.w;
  const x2 = d.switchPort.x;
  const mid = (x1 + x2) / 2;
  const name = d.member.name;
  return (
    <g
      className={`pic-member pic-${d.state}${props.selected ? ' pic-selected' : ''}`}
      tabIndex={0}
      role="img"
      aria-label={memberWords(props.bond, d)}
      onFocus={() => props.onSelect(name)}
      onMouseEnter={() => props.onSelect(name)}
    >
      <rect className="pic-port" x={d.port.x} y={d.port.y} width={d.port.w} height={d.port.h} rx={5} />
      <text className="pic-port-name" x={d.port.x + 8} y={d.port.y + 22}>
        {name}
      </text>
      {d.isActive && props.bond.mode === 'active-backup' ? (
        <text className="pic-badge" x={d.port.x + d.port.w - 6} y={d.port.y + 22} textAnchor="end">
          active
        </text>
      ) : null}
      {d.state === 'down' ? (
        <>
          <line className="pic-cable" x1={x1} y1={d.cableY} x2={mid - 14} y2={d.cableY} />
          <line className="pic-cable" x1={mid + 14} y1={d.cableY} x2={x2} y2={d.cableY} />
          <text className="pic-cut" x={mid} y={d.cableY + 5} textAnchor="middle">
            ✕
          </text>
        </>
      ) : (
        <line className="pic-cable" x1={x1} y1={d.cableY} x2={x2} y2={d.cableY} />
      )}
      <text className="pic-cable-label" x={mid} y={d.cableLabelBox.y + 12} textAnchor="middle">
        {d.cableLabel}
      </text>
      <text className="pic-state-label" x={mid} y={d.stateLabelBox.y + 12} textAnchor="middle">
        {d.stateLabel}
      </text>
      <rect className="pic-port pic-switch-port" x={d.switchPort.x} y={d.switchPort.y} width={d.switchPort.w} height={d.switchPort.h} rx={5} />
      <text className="pic-text" x={d.switchPort.x + 8} y={d.switchPort.y + 22}>
        {d.member.partner ? `port ${d.member.partner.portNumber}` : 'port'}
      </text>
      <title>{memberWords(props.bond, d)}</title>
    </g>
  );
}

function BitList(props: { who: string; info: LacpPortInfo }) {
  return (
    <div className="pic-bits">
      <h4>
        {props.who} state {props.info.state}
      </h4>
      <ul>
        {stateBitWords(props.info.state).map((b) => (
          <li key={b.bit} className={b.set ? 'bit-on' : 'bit-off'}>
            <span className="bit-mark" aria-hidden="true">
              {b.set ? '●' : '○'}
            </span>{' '}
            {b.name}: {b.words}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StateDetails(props: { drawing: MemberDrawing | null }) {
  const d = props.drawing;
  if (d === null) return <p className="muted small">Point at a port or move to it with Tab to read its link and LACP state bits.</p>;
  const m = d.member;
  return (
    <div className="pic-details" aria-live="polite">
      <p>
        <strong>{m.name}</strong>: {d.cableLabel}, {d.stateLabel}
        {m.linkFailureCount ? `, ${m.linkFailureCount} link failure(s)` : ''}
      </p>
      {m.actor || m.partner ? (
        <div className="pic-bits-row">
          {m.actor ? <BitList who="This host (actor)" info={m.actor} /> : null}
          {m.partner ? <BitList who="Switch (partner)" info={m.partner} /> : null}
        </div>
      ) : null}
    </div>
  );
}
