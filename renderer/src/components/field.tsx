import { useId, type ReactNode } from 'react';

/** A labelled form control with its error (or hint) right under it, tied together for screen readers. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = props.error ?? props.hint;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy: note ? noteId : undefined, invalid: Boolean(props.error) })}
      {note ? (
        <p id={noteId} className={props.error ? 'field-error' : 'field-hint'} role={props.error ? 'alert' : undefined}>
          {note}
        </p>
      ) : null}
    </div>
  );
}
