import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArgs, quoteForShell } from './quote';

const HOSTILE = [
  '',
  'plain',
  "it's",
  "''''",
  '$(touch /tmp/bondsmith-pwned)',
  '`id`',
  '"double" \\back\\slash\\',
  'new\nline',
  'tab\tand ; & | > < * ? [a] ~ # !',
  '=leading-equals',
  'Zürich ☃ 日本語 🙂 \u2028',
  "-n",
];

function roundTrip(shell: string, text: string): string {
  return execFileSync(shell, ['-c', `printf '%s' ${quoteForShell(text)}`], { encoding: 'utf8' });
}

describe('quoteForShell', () => {
  for (const shell of ['sh', 'bash']) {
    it(`gives ${shell} back every byte of hostile text`, () => {
      for (const text of HOSTILE) expect(roundTrip(shell, text)).toBe(text);
    });
  }

  it('leaves harmless words bare and quotes the rest', () => {
    expect(quoteForShell('bond0')).toBe('bond0');
    expect(quoteForShell('/etc/network/interfaces.d/bond0')).toBe('/etc/network/interfaces.d/bond0');
    expect(quoteForShell("it's")).toBe(`'it'\\''s'`);
    expect(quoteForShell('=x')).toBe(`'=x'`);
    expect(quoteForShell('')).toBe(`''`);
  });

  it('quotes argument lists word by word', () => {
    const out = execFileSync('sh', ['-c', `printf '[%s]' ${quoteArgs(['a b', "c'd", '$e'])}`], { encoding: 'utf8' });
    expect(out).toBe("[a b][c'd][$e]");
  });
});
