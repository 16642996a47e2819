import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCommand, shellQuote, wrapRemoteCommand } from './quote';

const HOSTILE = [
  '',
  'plain',
  'two words',
  "it's",
  "''",
  '$(touch /tmp/pwned)',
  '`id`',
  '${HOME}',
  '"double" and \\backslash\\',
  'line1\nline2\n',
  '; rm -rf / #',
  '*',
  '-n',
  '!event',
  'naïve — 日本語 🚀',
  '\t\r\x1b[31m',
];

// The real test of quoting: a shell must hand the original bytes back unchanged.
function roundTrip(shell: string, word: string): string {
  return execFileSync(shell, ['-c', `printf '%s' ${shellQuote(word)}`], { encoding: 'utf8' });
}

describe('shellQuote', () => {
  it.each(HOSTILE)('round-trips %j through sh', (word) => {
    expect(roundTrip('/bin/sh', word)).toBe(word);
  });

  it.each(HOSTILE)('round-trips %j through bash', (word) => {
    expect(roundTrip('/bin/bash', word)).toBe(word);
  });

  it('wraps in single quotes and escapes embedded single quotes', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('$(x)')).toBe(`'$(x)'`);
  });

  it('refuses NUL bytes', () => {
    expect(() => shellQuote('a\0b')).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });
});

describe('buildCommand', () => {
  it('quotes every argument after a fixed program', () => {
    expect(buildCommand('ip', ['-j', 'link', 'show', 'dev', "bond0'; reboot"])).toBe(`ip '-j' 'link' 'show' 'dev' 'bond0'\\''; reboot'`);
  });

  it('keeps each hostile argument a single argv entry', () => {
    const args = HOSTILE.filter((s) => s !== '');
    const out = execFileSync('/bin/sh', ['-c', buildCommand('printf', ['%s\\0', ...args])], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(args);
  });

  it('refuses program names that would be parsed by the shell', () => {
    expect(() => buildCommand('ip; reboot')).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
    expect(() => buildCommand('$(id)')).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });

  it('refuses NUL in an argument', () => {
    expect(() => buildCommand('echo', ['ok', 'bad\0'])).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });
});

describe('wrapRemoteCommand', () => {
  it('prefixes a C locale in the command string', () => {
    expect(wrapRemoteCommand('echo hi', { sudo: false })).toBe(`LC_ALL=C LANGUAGE= sh -c 'echo hi'`);
  });

  it('runs through sudo -n when asked, keeping the locale past env_reset', () => {
    expect(wrapRemoteCommand('id -u', { sudo: true })).toBe(`LC_ALL=C LANGUAGE= sudo -n -- env LC_ALL=C LANGUAGE= sh -c 'id -u'`);
  });

  it('passes a pipeline and hostile text through intact', () => {
    const cmd = `printf '%s' "$LC_ALL" | tr C X; printf ' %s' ${shellQuote('$(id) `x`')}`;
    const out = execFileSync('/bin/sh', ['-c', wrapRemoteCommand(cmd, { sudo: false })], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LC_ALL: 'en_US.UTF-8' } });
    expect(out).toBe('X $(id) `x`');
  });

  it('refuses NUL bytes', () => {
    expect(() => wrapRemoteCommand('a\0', { sudo: false })).toThrow(expect.objectContaining({ code: 'INVALID_COMMAND' }));
  });
});
