import type { BondAlias } from '../../../../preload/contract';

export interface AliasRow {
  readonly address: string;
  readonly prefix: string;
}

export function toAliases(rows: readonly AliasRow[]): BondAlias[] {
  return rows.map((r) => ({ address: r.address.trim(), prefix: r.prefix.trim() === '' ? Number.NaN : Number(r.prefix) }));
}

/** IP aliases: add and remove rows of address + prefix length, IPv4 or IPv6. */
export function AliasesEditor(props: { rows: readonly AliasRow[]; errors: Readonly<Record<string, string>>; onChange: (rows: AliasRow[]) => void }) {
  const set = (i: number, patch: Partial<AliasRow>): void => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="field aliases">
      <legend>IP addresses</legend>
      {props.rows.length === 0 ? <p className="muted small">No static addresses.</p> : null}
      {props.rows.map((row, i) => {
        const addressError = props.errors[`aliases.${i}.address`];
        const prefixError = props.errors[`aliases.${i}.prefix`];
        return (
          <div className="alias-row" key={i}>
            <div className={addressError ? 'field field-invalid' : 'field'}>
              <label htmlFor={`alias-${i}-address`}>{`IP address ${i + 1}`}</label>
              <input
                id={`alias-${i}-address`}
                value={row.address}
                placeholder="192.0.2.10 or 2001:db8::10"
                aria-invalid={Boolean(addressError)}
                aria-describedby={addressError ? `alias-${i}-address-error` : undefined}
                onChange={(e) => set(i, { address: e.target.value })}
              />
              {addressError ? (
                <p id={`alias-${i}-address-error`} className="field-error" role="alert">
                  {addressError}
                </p>
              ) : null}
            </div>
            <div className={prefixError ? 'field prefix field-invalid' : 'field prefix'}>
              <label htmlFor={`alias-${i}-prefix`}>{`Prefix length ${i + 1}`}</label>
              <input
                id={`alias-${i}-prefix`}
                value={row.prefix}
                inputMode="numeric"
                aria-invalid={Boolean(prefixError)}
                aria-describedby={prefixError ? `alias-${i}-prefix-error` : undefined}
                onChange={(e) => set(i, { prefix: e.target.value })}
              />
              {prefixError ? (
                <p id={`alias-${i}-prefix-error`} className="field-error" role="alert">
                  {prefixError}
                </p>
              ) : null}
            </div>
            <button type="button" aria-label={`Remove IP address ${i + 1}`} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" onClick={() => props.onChange([...props.rows, { address: '', prefix: '24' }])}>
        Add IP address
      </button>
    </fieldset>
  );
}
