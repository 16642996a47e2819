// Plans run their steps as `sudo -n sh -c ...` for a non-root admin. `sudo -n` exits with 1 and a
// "sudo: ..." line when it would have to ask for a password or the user is not allowed; those are
// the admin's to fix, so they are said in words the admin can act on instead of sudo's own.

export interface CommandOutcome {
  readonly code: number | null;
  readonly stderr: string;
}

/** What to tell the admin when sudo itself refused (not the command); null for any other failure. */
export function explainSudoRefusal(result: CommandOutcome): string | null {
  if (result.code !== 1 || !result.stderr.startsWith('sudo: ')) return null;
  if (/password is required|terminal is required/.test(result.stderr)) {
    return 'sudo wants a password for this user. Add a NOPASSWD sudoers rule for it, or connect as a user that does not need sudo.';
  }
  if (/not in the sudoers file|not allowed to execute|may not run sudo/.test(result.stderr)) {
    return 'This user may not use sudo. Allow it in sudoers, or turn off "use sudo" for this host if the user has the rights itself.';
  }
  return null;
}
