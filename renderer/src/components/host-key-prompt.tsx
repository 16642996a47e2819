import type { HostKeyInfo } from '../../../preload/contract';

/**
 * First contact: show the host and the SHA256 fingerprint exactly as `ssh-keygen -lf` prints it, and
 * let the user trust it or not. A changed key is a hard stop: there is no button that accepts it.
 */
export function HostKeyPrompt(props: { hostKey: HostKeyInfo; onTrust: () => void; onReject: () => void }) {
  const { hostKey } = props;
  const where = hostKey.port === 22 ? hostKey.host : `[${hostKey.host}]:${hostKey.port}`;
  if (hostKey.knownFingerprint) {
    return (
      <div className="banner error host-key" role="alert" aria-label="Host key changed">
        <h3>Host key changed — connection refused</h3>
        <p>
          {where} presented a different {hostKey.keyType} key than the one on record. This can mean the box was reinstalled, or that
          someone is intercepting the connection. Bondsmith will not connect.
        </p>
        <dl className="facts">
          <dt>Known key</dt>
          <dd>
            <code>{hostKey.knownFingerprint}</code>
          </dd>
          <dt>Presented key</dt>
          <dd>
            <code>{hostKey.fingerprint}</code>
          </dd>
        </dl>
        <p>If the change is expected, verify the new fingerprint on the box's console and remove the old entry from your known_hosts file.</p>
      </div>
    );
  }
  return (
    <div className="banner warning host-key" role="alertdialog" aria-label="Confirm host key">
      <h3>First connection to {where}</h3>
      <p>
        Check that this {hostKey.keyType} fingerprint matches the one the box shows (<code>ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub</code>):
      </p>
      <p className="fingerprint">
        <code>{hostKey.fingerprint}</code>
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onTrust}>
          Trust this host key
        </button>
        <button type="button" onClick={props.onReject}>
          Don&apos;t trust
        </button>
      </div>
    </div>
  );
}
