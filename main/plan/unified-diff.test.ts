import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff';

/** GNU diff -u's hunks for the same texts (headers differ: they carry file names and times). */
function gnuHunks(a: string, b: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bondsmith-diff-'));
  try {
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const out = spawnSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' }).stdout;
    return out.split('\n').slice(2).join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';

describe('unifiedDiff', () => {
  const cases: [string, string, string][] = [
    ['one change in the middle', lines(20, (i) => `line ${i}`), lines(20, (i) => (i === 10 ? 'changed' : `line ${i}`))],
    ['two far-apart changes', lines(30, (i) => `l${i}`), lines(30, (i) => (i === 2 || i === 25 ? `x${i}` : `l${i}`))],
    ['insertions and deletions', lines(12, (i) => `k${i}`), lines(10, (i) => (i < 5 ? `k${i}` : `k${i + 2}`)) + 'tail\n'],
    ['from empty', '', 'a\nb\n'],
    ['to empty', 'a\nb\n', ''],
  ];
  for (const [name, a, b] of cases) {
    it(`matches diff -u: ${name}`, () => {
      const ours = unifiedDiff('/f', a, b).split('\n').slice(2).join('\n');
      expect(ours).toBe(gnuHunks(a, b));
    });
  }

  it('names new and deleted files like diff -N, and is empty when equal', () => {
    expect(unifiedDiff('/etc/x', null, 'a\n').split('\n').slice(0, 2)).toEqual(['--- /dev/null', '+++ b/etc/x']);
    expect(unifiedDiff('/etc/x', 'a\n', null).split('\n').slice(0, 2)).toEqual(['--- a/etc/x', '+++ /dev/null']);
    expect(unifiedDiff('/etc/x', 'same\n', 'same\n')).toBe('');
  });
});
