import { Fragment, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  BOND_FIELD_KEYS,
  BOND_FIELDS,
  bondSpecSchema,
  DESCRIPTION_MAX,
  fieldApplies,
  type AppError,
  type BondFieldKey,
  type BondProtocol,
  type BondSpec,
  type EligibleMember,
  type LacpduRate,
  type XmitHashPolicy,
} from '../../../../preload/contract';
import { Field } from '../field';
import { AliasesEditor, toAliases, type AliasRow } from './aliases-editor';
import { MembersPicker } from './members-picker';
import { Kbd, useShortcut } from '../shortcuts';

type Errors = Readonly<Record<string, string>>;

const LACPDU_HELP: Readonly<Record<LacpduRate, string>> = {
  SLOW: 'The partner sends LACPDUs every 30 s (90 s timeout).',
  FAST: 'The partner sends LACPDUs every second (3 s timeout): faults are detected faster.',
};

/** The form's working copy: text as typed, and choices kept while a protocol change hides them. */
interface Draft {
  readonly name: string;
  readonly description: string;
  readonly protocol: BondProtocol;
  readonly xmitHashPolicy: XmitHashPolicy;
  readonly lacpduRate: LacpduRate;
  readonly mtu: string;
  readonly members: readonly string[];
  readonly dhcp: boolean;
  readonly aliases: readonly AliasRow[];
}

function draftOf(spec: BondSpec): Draft {
  return {
    name: spec.name,
    description: spec.description,
    protocol: spec.protocol,
    xmitHashPolicy: spec.xmitHashPolicy ?? 'LAYER2+3',
    lacpduRate: spec.lacpduRate ?? 'SLOW',
    mtu: spec.mtu === null ? '' : String(spec.mtu),
    members: [...spec.members],
    dhcp: spec.dhcp,
    aliases: spec.aliases.map((a) => ({ address: a.address, prefix: String(a.prefix) })),
  };
}

interface ControlProps {
  readonly draft: Draft;
  readonly set: (patch: Partial<Draft>) => void;
  readonly errors: Errors;
  readonly editing: boolean;
  readonly candidates: readonly EligibleMember[];
  readonly resetNics: readonly string[];
  readonly onReset: ((nic: string, reset: boolean) => void) | undefined;
  readonly portNote: ((name: string) => string) | undefined;
}

interface Control<K extends BondFieldKey> {
  /** In the grid of small fields, or a block of its own below it. */
  readonly place: 'grid' | 'below';
  /** The draft's value as the spec has it (the schema checks it afterwards). */
  readonly read: (draft: Draft) => BondSpec[K];
  readonly render: (p: ControlProps) => ReactNode;
}

function Select<T extends string>(props: { label: string; value: T; options: readonly T[]; error?: string | undefined; hint?: string | undefined; onChange: (v: T) => void }) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint}>
      {(f) => (
        <select id={f.id} aria-describedby={f.describedBy} value={props.value} onChange={(e) => props.onChange(e.target.value as T)}>
          {props.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** One control per editor field: a new field in the contract's table must say how it is edited. */
const CONTROLS: { readonly [K in BondFieldKey]: Control<K> } = {
  name: {
    place: 'grid',
    read: (d) => d.name.trim(),
    render: ({ draft, set, errors, editing }) => (
      <Field label={BOND_FIELDS.name.label} error={errors.name} hint={editing ? 'Cannot change after the first apply' : 'bond followed by a number, e.g. bond0'}>
        {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={draft.name} disabled={editing} onChange={(e) => set({ name: e.target.value })} />}
      </Field>
    ),
  },
  description: {
    place: 'grid',
    read: (d) => d.description,
    render: ({ draft, set, errors }) => (
      <Field label={BOND_FIELDS.description.label} error={errors.description} hint={`Optional, up to ${DESCRIPTION_MAX} characters`}>
        {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={draft.description} onChange={(e) => set({ description: e.target.value })} />}
      </Field>
    ),
  },
  protocol: {
    place: 'grid',
    read: (d) => d.protocol,
    render: ({ draft, set, errors }) => <Select label={BOND_FIELDS.protocol.label} value={draft.protocol} options={['LACP', 'FAILOVER', 'LOADBALANCE']} error={errors.protocol} onChange={(protocol) => set({ protocol })} />,
  },
  xmitHashPolicy: {
    place: 'grid',
    read: (d) => d.xmitHashPolicy,
    render: ({ draft, set, errors }) => (
      <Select label={BOND_FIELDS.xmitHashPolicy.label} value={draft.xmitHashPolicy} options={['LAYER2', 'LAYER2+3', 'LAYER3+4']} error={errors.xmitHashPolicy} onChange={(xmitHashPolicy) => set({ xmitHashPolicy })} />
    ),
  },
  lacpduRate: {
    place: 'grid',
    read: (d) => d.lacpduRate,
    render: ({ draft, set, errors }) => (
      <Select label={BOND_FIELDS.lacpduRate.label} value={draft.lacpduRate} options={['SLOW', 'FAST']} error={errors.lacpduRate} hint={LACPDU_HELP[draft.lacpduRate]} onChange={(lacpduRate) => set({ lacpduRate })} />
    ),
  },
  mtu: {
    place: 'grid',
    read: (d) => (d.mtu.trim() === '' ? null : Number(d.mtu)),
    render: ({ draft, set, errors }) => (
      <Field label={BOND_FIELDS.mtu.label} error={errors.mtu} hint="Optional, 68 to 9216">
        {(f) => <input id={f.id} aria-describedby={f.describedBy} aria-invalid={f.invalid} value={draft.mtu} inputMode="numeric" onChange={(e) => set({ mtu: e.target.value })} />}
      </Field>
    ),
  },
  members: {
    place: 'below',
    read: (d) => [...d.members],
    render: ({ draft, set, errors, candidates, resetNics, onReset, portNote }) => {
      const memberErrors: Record<number, string> = {};
      for (const [key, message] of Object.entries(errors)) {
        const m = /^members\.(\d+)$/.exec(key);
        if (m) memberErrors[Number(m[1])] = message;
      }
      return (
        <MembersPicker
          candidates={candidates}
          portNote={portNote}
          members={draft.members}
          protocol={draft.protocol}
          error={errors.members}
          memberErrors={memberErrors}
          resetNics={resetNics}
          onReset={onReset}
          onChange={(members) => set({ members })}
        />
      );
    },
  },
  dhcp: {
    place: 'below',
    read: (d) => d.dhcp,
    render: ({ draft, set }) => (
      <label className="checkbox">
        <input type="checkbox" checked={draft.dhcp} onChange={(e) => set({ dhcp: e.target.checked })} /> {BOND_FIELDS.dhcp.label}
      </label>
    ),
  },
  aliases: {
    place: 'below',
    read: (d) => toAliases(d.aliases),
    render: ({ draft, set, errors }) => <AliasesEditor rows={draft.aliases} errors={errors} onChange={(aliases) => set({ aliases })} />,
  },
};

const PROTOCOL_NOTE: Readonly<Record<BondProtocol, string | null>> = {
  LACP: null,
  LOADBALANCE: 'LOADBALANCE is static: the switch ports need a static LAG (no LACP).',
  FAILOVER: 'Traffic uses the first member; when it fails, the next available member takes over.',
};

/**
 * The seed's "Add Interface → Link Aggregation" screen, field for field. Checks run here with the
 * contract's schema and again in main; Save never applies: it asks main for a plan.
 */
export function BondEditor(props: {
  initial: BondSpec;
  editing: boolean;
  candidates: readonly EligibleMember[];
  /** Ports whose own configuration is reset with the change (the host editor; the fleet editor has none). */
  resetNics?: readonly string[];
  onReset?: (nic: string, reset: boolean) => void;
  serverErrors: Errors;
  formError: AppError | null;
  busy: boolean;
  onSave: (spec: BondSpec) => void;
  onCancel: () => void;
  /** The submit button's words where it does not plan a change on one host (the fleet wizard's next step). */
  submitLabel?: string;
  /** What to say beside each port instead of its link (the fleet wizard: which hosts have it). */
  portNote?: (name: string) => string;
}) {
  const { initial } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const [localErrors, setLocalErrors] = useState<Errors>({});
  const errors: Errors = { ...props.serverErrors, ...localErrors };
  const set = (patch: Partial<Draft>): void => setDraft((d) => ({ ...d, ...patch }));
  const shown = BOND_FIELD_KEYS.filter((k) => fieldApplies(k, draft.protocol));
  const ctx: ControlProps = { draft, set, errors, editing: props.editing, candidates: props.candidates, resetNics: props.resetNics ?? [], onReset: props.onReset, portNote: props.portNote };
  const formRef = useRef<HTMLFormElement>(null);
  useShortcut('S', !props.busy, () => formRef.current?.requestSubmit());

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const raw = Object.fromEntries(BOND_FIELD_KEYS.map((k) => [k, fieldApplies(k, draft.protocol) ? CONTROLS[k].read(draft) : null]));
    const parsed = bondSpecSchema.safeParse(raw);
    if (!parsed.success) {
      const next: Record<string, string> = {};
      for (const issue of parsed.error.issues) next[issue.path.map(String).join('.')] ??= issue.message;
      setLocalErrors(next);
      return;
    }
    setLocalErrors({});
    props.onSave(parsed.data);
  };

  const note = PROTOCOL_NOTE[draft.protocol];
  return (
    <form className="panel bond-editor" aria-label={props.editing ? `Edit ${initial.name}` : 'Add Interface'} onSubmit={submit} noValidate ref={formRef}>
      <h2>{props.editing ? `Edit ${initial.name}` : 'Add Interface'}</h2>
      <div className="form-grid">
        <Field label="Type" hint={props.editing ? 'Cannot change after the first apply' : undefined}>
          {(f) => (
            <select id={f.id} aria-describedby={f.describedBy} value="LINK_AGGREGATION" disabled={props.editing} onChange={() => undefined}>
              <option value="LINK_AGGREGATION">Link Aggregation</option>
            </select>
          )}
        </Field>
        {shown
          .filter((k) => CONTROLS[k].place === 'grid')
          .map((k) => (
            <Fragment key={k}>{CONTROLS[k].render(ctx)}</Fragment>
          ))}
      </div>
      {note ? <p className="muted small">{note}</p> : null}
      {shown
        .filter((k) => CONTROLS[k].place === 'below')
        .map((k) => (
          <Fragment key={k}>{CONTROLS[k].render(ctx)}</Fragment>
        ))}
      {props.formError ? (
        <p className="form-error" role="alert">
          {props.formError.message}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy} aria-keyshortcuts="Alt+S">
          {props.busy ? 'Planning…' : (props.submitLabel ?? 'Save')}
          <Kbd keyName="S" />
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

