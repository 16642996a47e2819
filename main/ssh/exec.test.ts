import { describe, expect, it } from 'vitest';
import { sudoRefusal } from './exec';

const result = (code: number | null, stderr: string) => ({ code, signal: null, stdout: '', stderr });

describe('sudoRefusal', () => {
  it('recognises sudo asking for a password under -n', () => {
    expect(sudoRefusal(result(1, 'sudo: a password is required\n'), 'admin@nas1:22', 'admin')?.code).toBe('SUDO_PASSWORD_REQUIRED');
    expect(sudoRefusal(result(1, 'sudo: a terminal is required to read the password; either use the -S option\n'), 'admin@nas1:22', 'admin')?.code).toBe('SUDO_PASSWORD_REQUIRED');
  });

  it('recognises a user sudo does not allow', () => {
    const e = sudoRefusal(result(1, 'sudo: bob is not in the sudoers file.\n'), 'bob@nas1:22', 'bob');
    expect(e?.code).toBe('SUDO_DENIED');
    expect(e?.message).toContain('bob');
  });

  it('leaves the command\'s own failures alone', () => {
    expect(sudoRefusal(result(1, 'grep: no match\n'), 'a@b:22', 'a')).toBeNull();
    expect(sudoRefusal(result(2, 'sudo: a password is required\n'), 'a@b:22', 'a')).toBeNull();
    expect(sudoRefusal(result(0, ''), 'a@b:22', 'a')).toBeNull();
  });
});
