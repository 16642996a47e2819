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

// An absolute POSIX or Windows path (or a file:// URL): in quotes as a whole (Node quotes the paths
// in its errors, and they may hold spaces), else up to the next space; "http://host/x" and "1/2" are not.
const QUOTED_PATH = /(['"])(?:file:\/\/)?((?:[A-Za-z]:)?[\\/][^'"\n]*)\1/g;
const BARE_PATH = /(^|[\s'"([=,])(?:file:\/\/)?((?:[A-Za-z]:)?[\\/][^\s'"()[\]<>]+)/g;

function fileNameOnly(path: string): string {
  return `…${path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')))}`;
}

/** Every absolute path in `text` shortened to "…/<file name>": the name says which file, the rest is this machine's. */
export function withoutAbsolutePaths(text: string): string {
  return text
    .replace(QUOTED_PATH, (_all, quote: string, path: string) => `${quote}${fileNameOnly(path)}${quote}`)
    .replace(BARE_PATH, (_all, before: string, path: string) => `${before}${fileNameOnly(path)}`);
}
