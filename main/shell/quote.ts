import { AppFailure } from '../errors';

// The one place that turns text into POSIX shell words, for every command Bondsmith sends to a box
// (the planners' step commands and the SSH layer's wrapper alike). The remote side runs
// `<login shell> -c "<string>"`, so quoting targets a POSIX shell on the box, whatever the local OS.
// Inside single quotes a POSIX shell (sh, dash, bash, zsh) takes every byte literally except the
// closing quote, so a quote inside the text is written as: close, escaped quote, reopen ('\'').
// $(...), backticks, backslashes, newlines and any UTF-8 arrive byte-exact. NUL cannot cross
// exec(2) at all, so it is refused instead of mangled.

/** Bare words stay bare for readability; '=' is excluded because zsh expands a leading '='. */
const BARE_WORD = /^[A-Za-z0-9_+:,./-]+$/;

/** The text as one POSIX shell word that expands to exactly `text`. */
export function quoteForShell(text: string): string {
  assertNoNul(text);
  if (text.length > 0 && BARE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Several arguments, each quoted, joined by spaces. */
export function quoteArgs(args: readonly string[]): string {
  return args.map(quoteForShell).join(' ');
}

/**
 * The string sent over an SSH exec channel: the caller's command run by `sh -c` with a C locale
 * (parseable output). LC_ALL goes in the command string because sshd drops `env` requests unless
 * AcceptEnv allows them. Privilege is the command's own business (plans carry `sudo -n` where a
 * non-root admin needs it), never the transport's.
 */
export function wrapRemoteCommand(command: string): string {
  return `LC_ALL=C LANGUAGE= sh -c ${quoteForShell(command)}`;
}

function assertNoNul(value: string): void {
  if (value.includes('\0')) {
    throw new AppFailure('INVALID_COMMAND', 'A command or argument contains a NUL byte, which cannot be passed to a remote program.');
  }
}
