import type { BondStatus } from '../../../../preload/contract';
import { switchGuidance } from './switch-guidance';

/** Next to the diagnosis: what the switch ports must be, why one flow uses one link, what to check. */
export function SwitchGuidanceView(props: { bond: BondStatus }) {
  const g = switchGuidance(props.bond);
  if (g === null) return null;
  return (
    <section className="switch-guidance" aria-label={`Switch side of ${props.bond.name}`}>
      <h3>On the switch</h3>
      <p>{g.ports}</p>
      {g.checks.length > 0 ? (
        <>
          <h4>Check on the switch</h4>
          <ul className="switch-checks">
            {g.checks.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </>
      ) : null}
      {g.hash ? <p className="muted small">{g.hash}</p> : null}
      {g.examples.length > 0 ? (
        <details className="switch-examples">
          <summary>Example switch configuration</summary>
          {g.examples.map((e) => (
            <div key={e.family}>
              <h4>{e.family}</h4>
              <pre className="command">{e.lines.join('\n')}</pre>
              <p className="muted small">Syntax from: {e.source}</p>
            </div>
          ))}
        </details>
      ) : null}
    </section>
  );
}
