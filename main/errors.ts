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
  // Unknown failures: say something useful without leaking stack traces, secrets or the layout of
  // this machine (user names in home directories, install paths) to the renderer.
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Unexpected error: ${withoutAbsolutePaths(message).slice(0, 500)}` };
}

// An absolute POSIX or Windows path (or a file:// URL) that starts a word; "http://host/x" and "1/2" do not.
const ABSOLUTE_PATH = /(^|[\s'"([=,])(?:file:\/\/)?((?:[A-Za-z]:)?[\\/][^\s'"()[\]<>]+)/g;

/** Every absolute path in `text` shortened to "…/<file name>": the name says which file, the rest is this machine's. */
export function withoutAbsolutePaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (_all, before: string, path: string) => {
    const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return `${before}…${path.slice(cut)}`;
  });
}
