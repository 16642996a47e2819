import { useEffect, useState } from 'react';
import type { AppError, PendingOnBox } from '../../../preload/contract';
import { api } from '../api/api';

/** A change found waiting on the box (after an app restart, or made elsewhere): time left, Keep, Revert. */
export function PendingBanner(props: { hostId: string; pending: readonly PendingOnBox[]; collectedAt: string; onResolved: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const at = Date.parse(props.collectedAt);
  const items = props.pending.map((p) => ({ ...p, deadline: p.secondsLeft === null || Number.isNaN(at) ? null : at + p.secondsLeft * 1000 }));
  useEffect(() => {
    if (items.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [items.length]);
  if (items.length === 0) return null;
  const resolve = async (runId: string | null, decision: 'keep' | 'revert'): Promise<void> => {
    setBusy(true);
    setError(null);
    const res = await api.call('bonds.resolvePending', { hostId: props.hostId, decision, runId });
    setBusy(false);
    if (!res.ok) setError(res.error);
    props.onResolved();
  };
  return (
    <div className="banner warning pending" role="alert" aria-label="Pending change on this host">
      {items.map((p) => {
        const left = p.deadline === null ? null : Math.max(0, Math.ceil((p.deadline - now) / 1000));
        return (
          <div key={p.key} className="pending-item">
            <p>
              <strong>{p.text}</strong> {left === null ? 'It is not armed with a rollback timer: it stays until kept or reverted.' : `It rolls back on its own in ${left} s unless kept.`}
            </p>
            <div className="actions">
              <button type="button" className="primary" disabled={busy} onClick={() => void resolve(p.runId, 'keep')}>
                Keep pending change
              </button>
              <button type="button" className="danger" disabled={busy} onClick={() => void resolve(p.runId, 'revert')}>
                Revert pending change
              </button>
            </div>
          </div>
        );
      })}
      {error ? <p className="field-error">{error.message}</p> : null}
    </div>
  );
}
