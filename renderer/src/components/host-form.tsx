import { useState, type FormEvent } from 'react';
import { emptyHostInput, hostInputSchema, type AppError, type Host, type HostInput } from '../../../preload/contract';
import { Field } from './field';

type Errors = Readonly<Record<string, string>>;

function toInput(host: Host | undefined): HostInput {
  if (!host) return emptyHostInput();
  const auth: HostInput['auth'] = host.auth.kind === 'key' ? { kind: 'key', keyPath: host.auth.keyPath } : { kind: host.auth.kind };
  return { label: host.label, address: host.address, port: host.port, user: host.user, auth, jumpHostId: host.jumpHostId, tags: [...host.tags], useSudo: host.useSudo };
}

/** Add or edit a host. Field rules come from the contract's schema, the same one main applies again. */
export function HostForm(props: {
  host?: Host;
  otherHosts: readonly Host[];
  onSubmit: (input: HostInput) => Promise<AppError | null>;
  onCancel: () => void;
}) {
  const initial = toInput(props.host);
  const [label, setLabel] = useState(initial.label);
  const [address, setAddress] = useState(initial.address);
  const [port, setPort] = useState(String(initial.port));
  const [user, setUser] = useState(initial.user);
  const [authKind, setAuthKind] = useState<HostInput['auth']['kind']>(initial.auth.kind);
  const [keyPath, setKeyPath] = useState(initial.auth.kind === 'key' ? initial.auth.keyPath : '');
  const [secret, setSecret] = useState('');
  const [jumpHostId, setJumpHostId] = useState(initial.jumpHostId ?? '');
  const [tags, setTags] = useState(initial.tags.join(', '));
  const [useSudo, setUseSudo] = useState(initial.useSudo);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const build = (): unknown => ({
    label,
    address,
    port: port.trim() === '' ? Number.NaN : Number(port),
    user,
    auth:
      authKind === 'key'
        ? { kind: 'key', keyPath, ...(secret ? { passphrase: secret } : {}) }
        : authKind === 'password'
          ? { kind: 'password', ...(secret ? { password: secret } : {}) }
          : { kind: 'agent' },
    jumpHostId: jumpHostId === '' ? null : jumpHostId,
    tags: tags.split(',').map((t) => t.trim()).filter((t) => t !== ''),
    useSudo,
  });

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setFormError(null);
    const parsed = hostInputSchema.safeParse(build());
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.map(String).join('.').replace(/^tags\.\d+$/, 'tags');
        next[key] ??= issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    setBusy(true);
    const error = await props.onSubmit(parsed.data);
    setBusy(false);
    if (error) {
      if (error.field) setErrors({ [error.field]: error.message });
      else setFormError(error.message);
    }
  };

  const title = props.host ? `Edit ${props.host.label}` : 'Add host';
  return (
    <form className="panel host-form" onSubmit={(e) => void submit(e)} aria-label={title} noValidate>
      <h2>{title}</h2>
      <div className="form-grid">
        <Field label="Label" error={errors.label}>
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="nas-office" autoFocus />}
        </Field>
        <Field label="Address" error={errors.address} hint="Host name or IP address">
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={address} onChange={(e) => setAddress(e.target.value)} placeholder="nas.example.lan" />}
        </Field>
        <Field label="Port" error={errors.port}>
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={port} onChange={(e) => setPort(e.target.value)} inputMode="numeric" />}
        </Field>
        <Field label="User" error={errors.user}>
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />}
        </Field>
        <Field label="Authentication" error={errors.auth}>
          {(f) => (
            <select id={f.id} aria-describedby={f.describedBy} value={authKind} onChange={(e) => setAuthKind(e.target.value as HostInput['auth']['kind'])}>
              <option value="agent">SSH agent</option>
              <option value="key">Key file</option>
              <option value="password">Password</option>
            </select>
          )}
        </Field>
        {authKind === 'key' ? (
          <Field label="Key file" error={errors['auth.keyPath']} hint="Path to a private key, e.g. ~/.ssh/id_ed25519">
            {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={keyPath} onChange={(e) => setKeyPath(e.target.value)} />}
          </Field>
        ) : null}
        {authKind !== 'agent' ? (
          <Field
            label={authKind === 'key' ? 'Key passphrase' : 'Password'}
            error={errors['auth.passphrase'] ?? errors['auth.password']}
            hint={props.host?.hasSecret ? 'Stored. Leave empty to keep it.' : authKind === 'key' ? 'Only for encrypted keys' : undefined}
          >
            {(f) => <input id={f.id} aria-describedby={f.describedBy} type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" />}
          </Field>
        ) : null}
        <Field label="Jump host" error={errors.jumpHostId} hint="Optional: connect through another host (ProxyJump)">
          {(f) => (
            <select id={f.id} aria-describedby={f.describedBy} value={jumpHostId} onChange={(e) => setJumpHostId(e.target.value)}>
              <option value="">None</option>
              {props.otherHosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Tags" error={errors.tags} hint="Comma separated, e.g. office, rack2">
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={tags} onChange={(e) => setTags(e.target.value)} />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={useSudo} onChange={(e) => setUseSudo(e.target.checked)} /> Use sudo for changes (non-root user)
        </label>
      </div>
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {props.host ? 'Save host' : 'Add host'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
