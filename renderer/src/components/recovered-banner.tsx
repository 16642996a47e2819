import type { EventPayload } from '../../../preload/contract';

type Notice = EventPayload<'change.recovered'>;

const VERB: Readonly<Record<Notice['action'], string>> = { create: 'Create', update: 'Edit', delete: 'Delete' };

function applied(iso: string | null): string {
  if (iso === null) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : `, applied ${t.toLocaleString()}`;
}

/**
 * A change whose app was gone before it ended, found and recorded on this connect: told once,
 * until dismissed. The message says what became of it (it starts with the outcome).
 */
export function RecoveredBanner(props: { notices: readonly Notice[]; onDismiss: (notice: Notice) => void }) {
  return (
    <>
      {props.notices.map((n, i) => (
        <div key={`${n.bondName}-${n.startedAt ?? i}`} className="banner warning" role="status" aria-label="Unfinished change recorded">
          <strong>
            Unfinished change recorded: {VERB[n.action]} {n.bondName}
            {applied(n.startedAt)}
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
