import { describe, expect, it } from 'vitest';
import { explainSudoRefusal } from './sudo';

const result = (code: number | null, stderr: string) => ({ code, stderr });

describe('explainSudoRefusal', () => {
  it('recognises sudo asking for a password under -n', () => {
    expect(explainSudoRefusal(result(1, 'sudo: a password is required\n'))).toMatch(/NOPASSWD/);
    expect(explainSudoRefusal(result(1, 'sudo: a terminal is required to read the password; either use the -S option\n'))).toMatch(/NOPASSWD/);
  });

  it('recognises a user sudo does not allow', () => {
    expect(explainSudoRefusal(result(1, 'sudo: bob is not in the sudoers file.\n'))).toMatch(/may not use sudo/);
  });

  it("leaves the command's own failures alone", () => {
    expect(explainSudoRefusal(result(1, 'grep: no match\n'))).toBeNull();
    expect(explainSudoRefusal(result(2, 'sudo: a password is required\n'))).toBeNull();
    expect(explainSudoRefusal(result(0, ''))).toBeNull();
  });
});
