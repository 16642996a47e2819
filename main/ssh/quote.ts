import { SshError } from './ssh-error';

// The remote side runs `<login shell> -c "<string>"`, so quoting targets a POSIX shell on the box,
// whatever the local OS. Single quotes keep everything literal; a single quote itself is closed,
// escaped and reopened ('\''). NUL cannot cross exec(2) at all, so it is refused instead of mangled.

/** Quote one word for a POSIX shell. */
export function shellQuote(value: string): string {
  assertNoNul(value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Program names are fixed by our code, never typed by a user: allow a plain path only. */
const PROGRAM = /^[A-Za-z0-9_./+-]+$/;

/** `program 'arg1' 'arg2'`: a fixed program and quoted operands. */
export function buildCommand(program: string, args: readonly string[] = []): string {
  if (!PROGRAM.test(program)) {
    throw new SshError('INVALID_COMMAND', `Refusing to run "${program.slice(0, 80)}": a program name may only contain letters, digits and _ . / + -.`);
  }
  return [program, ...args.map(shellQuote)].join(' ');
}

/**
 * The string sent over the exec channel: the caller's command run by `sh -c` with a C locale
 * (parseable output), optionally through `sudo -n` (fails fast instead of waiting for a password).
 * LC_ALL goes in the command string because sshd drops `env` requests unless AcceptEnv allows them;
 * it is repeated after sudo through env(1) because sudo's env_reset may drop it.
 */
export function wrapRemoteCommand(command: string, opts: { sudo: boolean }): string {
  assertNoNul(command);
  const body = shellQuote(command);
  return opts.sudo
    ? `LC_ALL=C LANGUAGE= sudo -n -- env LC_ALL=C LANGUAGE= sh -c ${body}`
    : `LC_ALL=C LANGUAGE= sh -c ${body}`;
}

function assertNoNul(value: string): void {
  if (value.includes('\0')) {
    throw new SshError('INVALID_COMMAND', 'A command or argument contains a NUL byte, which cannot be passed to a remote program.');
  }
}
