import type { AppError } from '../../../preload/contract';

/** What main answered when an action failed, read out as it appears (role=alert); nothing when all went well. */
export function FormError(props: { error: AppError | null }) {
  if (!props.error) return null;
  return (
    <p className="form-error" role="alert">
      {props.error.message}
    </p>
  );
}
