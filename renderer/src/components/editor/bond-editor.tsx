import { useState, type FormEvent } from 'react';
import {
  bondSpecSchema,
  DESCRIPTION_MAX,
  type AppError,
  type BondProtocol,
  type BondSpec,
  type EligibleMember,
  type LacpduRate,
  type XmitHashPolicy,
} from '../../../../preload/contract';
import { Field } from '../field';
import { AliasesEditor, toAliases, type AliasRow } from './aliases-editor';
import { MembersPicker } from './members-picker';

type Errors = Readonly<Record<string, string>>;

const LACPDU_HELP: Readonly<Record<LacpduRate, string>> = {
  SLOW: 'The partner sends LACPDUs every 30 s (90 s timeout).',
  FAST: 'The partner sends LACPDUs every second (3 s timeout): faults are detected faster.',
};

/**
 * The seed's "Add Interface → Link Aggregation" screen, field for field. Checks run here with the
 * contract's schema and again in main; Save never applies: it asks main for a plan.
 */
export function BondEditor(props: {
  initial: BondSpec;
  editing: boolean;
  candidates: readonly EligibleMember[];
  serverErrors: Errors;
  formError: AppError | null;
  busy: boolean;
  onSave: (spec: BondSpec) => void;
  onCancel: () => void;
}) {
  const { initial } = props;
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [protocol, setProtocol] = useState<BondProtocol>(initial.protocol);
  const [xmit, setXmit] = useState<XmitHashPolicy>(initial.xmitHashPolicy ?? 'LAYER2+3');
  const [lacpdu, setLacpdu] = useState<LacpduRate>(initial.lacpduRate ?? 'SLOW');
  const [members, setMembers] = useState<string[]>([...initial.members]);
  const [aliases, setAliases] = useState<AliasRow[]>(initial.aliases.map((a) => ({ address: a.address, prefix: String(a.prefix) })));
  const [dhcp, setDhcp] = useState(initial.dhcp);
  const [mtu, setMtu] = useState(initial.mtu === null ? '' : String(initial.mtu));
  const [localErrors, setLocalErrors] = useState<Errors>({});
  const errors: Errors = { ...props.serverErrors, ...localErrors };

  const build = (): unknown => ({
    name: name.trim(),
    description,
    protocol,
    xmitHashPolicy: protocol === 'FAILOVER' ? null : xmit,
    lacpduRate: protocol === 'LACP' ? lacpdu : null,
    members,
    aliases: toAliases(aliases),
    dhcp,
    mtu: mtu.trim() === '' ? null : Number(mtu),
  });

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = bondSpecSchema.safeParse(build());
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[issue.path.map(String).join('.')] ??= issue.message;
      setLocalErrors(next);
      return;
    }
    setLocalErrors({});
    props.onSave(parsed.data);
  };

  const memberErrors: Record<number, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    const m = /^members\.(\d+)$/.exec(key);
    if (m) memberErrors[Number(m[1])] = message;
  }

  return (
    <form className="panel bond-editor" aria-label={props.editing ? `Edit ${initial.name}` : 'Add Interface'} onSubmit={submit} noValidate>
      <h2>{props.editing ? `Edit ${initial.name}` : 'Add Interface'}</h2>
      <div className="form-grid">
        <Field label="Type" hint={props.editing ? 'Cannot change after the first apply' : undefined}>
          {(f) => (
            <select id={f.id} aria-describedby={f.describedBy} value="LINK_AGGREGATION" disabled={props.editing} onChange={() => undefined}>
              <option value="LINK_AGGREGATION">Link Aggregation</option>
            </select>
          )}
        </Field>
        <Field label="Name" error={errors.name} hint={props.editing ? 'Cannot change after the first apply' : 'bond followed by a number, e.g. bond0'}>
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={name} disabled={props.editing} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Description" error={errors.description} hint={`Optional, up to ${DESCRIPTION_MAX} characters`}>
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <Field label="Link Aggregation Protocol" error={errors.protocol}>
          {(f) => (
            <select id={f.id} aria-describedby={f.describedBy} value={protocol} onChange={(e) => setProtocol(e.target.value as BondProtocol)}>
              <option value="LACP">LACP</option>
              <option value="FAILOVER">FAILOVER</option>
              <option value="LOADBALANCE">LOADBALANCE</option>
            </select>
          )}
        </Field>
        {protocol !== 'FAILOVER' ? (
          <Field label="Transmit Hash Policy" error={errors.xmitHashPolicy}>
            {(f) => (
              <select id={f.id} aria-describedby={f.describedBy} value={xmit} onChange={(e) => setXmit(e.target.value as XmitHashPolicy)}>
                <option value="LAYER2">LAYER2</option>
                <option value="LAYER2+3">LAYER2+3</option>
                <option value="LAYER3+4">LAYER3+4</option>
              </select>
            )}
          </Field>
        ) : null}
        {protocol === 'LACP' ? (
          <Field label="LACPDU Rate" error={errors.lacpduRate} hint={LACPDU_HELP[lacpdu]}>
            {(f) => (
              <select id={f.id} aria-describedby={f.describedBy} value={lacpdu} onChange={(e) => setLacpdu(e.target.value as LacpduRate)}>
                <option value="SLOW">SLOW</option>
                <option value="FAST">FAST</option>
              </select>
            )}
          </Field>
        ) : null}
        <Field label="MTU" error={errors.mtu} hint="Optional, 68 to 9216">
          {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={mtu} inputMode="numeric" onChange={(e) => setMtu(e.target.value)} />}
        </Field>
      </div>
      {protocol === 'LOADBALANCE' ? <p className="muted small">LOADBALANCE is static: the switch ports need a static LAG (no LACP).</p> : null}
      {protocol === 'FAILOVER' ? <p className="muted small">Traffic uses the first member; when it fails, the next available member takes over.</p> : null}
      <MembersPicker candidates={props.candidates} members={members} protocol={protocol} error={errors.members} memberErrors={memberErrors} onChange={setMembers} />
      <label className="checkbox">
        <input type="checkbox" checked={dhcp} onChange={(e) => setDhcp(e.target.checked)} /> DHCP
      </label>
      <AliasesEditor rows={aliases} errors={errors} onChange={setAliases} />
      {props.formError ? (
        <p className="form-error" role="alert">
          {props.formError.message}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy}>
          {props.busy ? 'Planning…' : 'Save'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
