import type { EligibleMember } from '../../../../preload/contract';

/**
 * Members as an ordered list: tick to add, move up/down to order (for FAILOVER the first is the
 * primary). Ports that carry addresses or the SSH session itself are marked.
 */
export function MembersPicker(props: {
  candidates: readonly EligibleMember[];
  /** Said beside each port in place of its link and speed (ports named across several hosts). */
  portNote?: ((name: string) => string) | undefined;
  members: readonly string[];
  protocol: string;
  error: string | undefined;
  memberErrors: Readonly<Record<number, string>>;
  /** Ports whose own configuration is reset as part of the change. */
  resetNics: readonly string[];
  /** Absent where the change cannot reset ports (the fleet editor). */
  onReset: ((nic: string, reset: boolean) => void) | undefined;
  onChange: (members: string[]) => void;
}) {
  const { members } = props;
  const toggle = (name: string, on: boolean): void =>
    props.onChange(on ? [...members, name] : members.filter((m) => m !== name));
  const move = (index: number, delta: number): void => {
    const next = [...members];
    const [item] = next.splice(index, 1);
    if (item === undefined) return;
    next.splice(index + delta, 0, item);
    props.onChange(next);
  };
  const byName = new Map(props.candidates.map((c) => [c.name, c]));
  return (
    <fieldset className={props.error ? 'field members field-invalid' : 'field members'} aria-describedby={props.error ? 'members-error' : undefined}>
      <legend>Interfaces (members)</legend>
      <ul className="candidates" aria-label="Available interfaces">
        {props.candidates.map((c) => (
          <li key={c.name} className={c.eligible ? undefined : 'ineligible'}>
            <label>
              <input type="checkbox" checked={members.includes(c.name)} disabled={!c.eligible && !members.includes(c.name)} onChange={(e) => toggle(c.name, e.target.checked)} />
              {c.name}
            </label>
            {props.portNote ? (
              <span className="muted small">{props.portNote(c.name)}</span>
            ) : (
              <span className="muted small">
                {c.link === 'up' ? 'link up' : c.link === 'down' ? 'link down' : 'link unknown'}
                {c.speedMbps ? ` · ${c.speedMbps} Mb/s` : ''}
              </span>
            )}
            {c.carriesManagement ? <span className="tag tag-mgmt">carries this SSH session</span> : null}
            {c.ownConfiguration ? (
              <span className="tag tag-warning">{c.ownConfiguration}</span>
            ) : c.carriesAddresses.length > 0 ? (
              <span className="tag tag-warning">has {c.carriesAddresses.join(', ')}</span>
            ) : null}
            {!c.eligible && c.reason ? <span className="muted small"> — {c.reason}</span> : null}
          </li>
        ))}
      </ul>
      {members.length > 0 ? (
        <ol className="member-order" aria-label="Member order">
          {members.map((name, i) => (
            <li key={name}>
              <span className="member-name">{name}</span>
              {i === 0 && props.protocol === 'FAILOVER' ? <span className="tag">primary</span> : null}
              {byName.get(name)?.carriesManagement ? <span className="tag tag-mgmt">management</span> : null}
              <button type="button" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" aria-label={`Move ${name} down`} disabled={i === members.length - 1} onClick={() => move(i, 1)}>
                ↓
              </button>
              {byName.get(name)?.ownConfiguration && props.onReset ? (
                <label className="checkbox reset-config">
                  <input type="checkbox" checked={props.resetNics.includes(name)} onChange={(e) => props.onReset?.(name, e.target.checked)} /> Reset {name}&apos;s configuration
                </label>
              ) : null}
              {props.memberErrors[i] ? (
                <span className="field-error" role="alert">
                  {props.memberErrors[i]}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      {props.error ? (
        <p id="members-error" className="field-error" role="alert">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}
