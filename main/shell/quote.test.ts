import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArgs, quoteForShell, wrapRemoteCommand } from './quote';

const HOSTILE = [
  '',
  'plain',
  'two words',
  "it's",
  "''''",
  '$(touch /tmp/bondsmith-pwned)',
  '`id`',
  '${HOME}',
  '"double" \\back\\slash\\',
  'new\nline\n',
  'tab\tand ; & | > < * ? [a] ~ # !',
  '; rm -rf / #',
  '=leading-equals',
  '!event',
  'Zürich ☃ 日本語 🙂 \u2028',
  '\t\r\x1b[31m',
  '-n',
];

// The real test of quoting: a shell must hand the original bytes back unchanged.
function roundTrip(shell: string, text: string): string {
  return execFileSync(shell, ['-c', `printf '%s' ${quoteForShell(text)}`], { encoding: 'utf8' });
}

describe('quoteForShell', () => {
  for (const shell of ['sh', 'bash']) {
    it(`gives ${shell} back every byte of hostile text`, () => {
      for (const text of HOSTILE) expect(roundTrip(shell, text)).toBe(text);
    });
  }

  it('leaves plain words bare and single-quotes the rest', () => {
    expect(quoteForShell('bond0')).toBe('bond0');
    expect(quoteForShell('/etc/network/interfaces.d/bond0')).toBe('/etc/network/interfaces.d/bond0');
    expect(quoteForShell("a'b")).toBe(`'a'\\''b'`);
    expect(quoteForShell('$(x)')).toBe(`'$(x)'`);
    expect(quoteForShell('=x')).toBe(`'=x'`);
    expect(quoteForShell('')).toBe(`''`);
  });

  it('refuses NUL bytes', () => {
    expect(() => quoteForShell('a\0b')).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });
});

describe('quoteArgs', () => {
  it('keeps each hostile argument a single argv entry', () => {
    const args = HOSTILE.filter((s) => s !== '');
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${quoteArgs(args)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(args);
  });
});

describe('wrapRemoteCommand', () => {
  it('prefixes a C locale in the command string', () => {
    expect(wrapRemoteCommand('echo hi')).toBe(`LC_ALL=C LANGUAGE= sh -c 'echo hi'`);
  });

  it('passes a pipeline and hostile text through intact', () => {
    const cmd = `printf '%s' "$LC_ALL" | tr C X; printf ' %s' ${quoteForShell('$(id) `x`')}`;
    const out = execFileSync('/bin/sh', ['-c', wrapRemoteCommand(cmd)], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LC_ALL: 'en_US.UTF-8' } });
    expect(out).toBe('X $(id) `x`');
  });

  it('refuses NUL bytes', () => {
    expect(() => wrapRemoteCommand('a\0')).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });
});
