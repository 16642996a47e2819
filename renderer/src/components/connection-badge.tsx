import type { ConnectionStateName } from '../../../preload/contract';

const TEXT: Readonly<Record<ConnectionStateName, string>> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  'awaiting-trust': 'Host key to confirm',
  ready: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Failed',
};

export function ConnectionBadge(props: { state: ConnectionStateName | undefined }) {
  const state = props.state ?? 'idle';
  return (
    <span className={`badge badge-${state}`} role="status" aria-label={`Connection: ${TEXT[state]}`}>
      <span className="dot" aria-hidden="true" />
      {TEXT[state]}
    </span>
  );
}
