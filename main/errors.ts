import type { AppError } from '../preload/contract';

/** An error that carries a code, a message a person can act on, and optionally the form field it concerns. */
export class AppFailure extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'AppFailure';
    this.code = code;
    this.field = field;
  }
  toAppError(): AppError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppFailure) return err.toAppError();
  // Unknown failures: say something useful without leaking stack traces or secrets to the renderer.
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Unexpected error: ${message.slice(0, 500)}` };
}
