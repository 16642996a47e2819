import type { EventPayload } from '../../../preload/contract';

type Notice = EventPayload<'change.recovered'>;

const VERB: Readonly<Record<Notice['action'], string>> = { create: 'Create', update: 'Edit', delete: 'Delete' };
const OUTCOME: Readonly<Record<Notice['result'], string>> = { 'rolled-back': 'rolled back on the box', 'kept-unconfirmed': 'kept without confirmation' };

function when(iso: string | null): string {
  if (iso === null) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : ` (applied ${t.toLocaleString()})`;
}

/** A change whose app was gone before it ended, found and recorded on this connect: told once, until dismissed. */
export function RecoveredBanner(props: { notices: readonly Notice[]; onDismiss: (notice: Notice) => void }) {
  return (
    <>
      {props.notices.map((n, i) => (
        <div key={`${n.bondName}-${n.startedAt ?? i}`} className="banner warning" role="status" aria-label="Unfinished change recorded">
          <strong>
            {VERB[n.action]} {n.bondName}{when(n.startedAt)}: {OUTCOME[n.result]}
          </strong>
          <div>
            {n.message} It is in the audit log.{' '}
            <button type="button" onClick={() => props.onDismiss(n)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </>
  );
}
