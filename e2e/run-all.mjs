// `npm test`: every check a submission must pass, in order, with the time each took.
// Type check, lint, unit tests, build, lab integration tests (real UML hosts), the fault matrix
// (every fault on every driver, e2e/faults/), end-to-end specs.
import { spawnSync } from 'node:child_process';

const steps = [
  ['typecheck', ['npm', 'run', '--silent', 'typecheck']],
  ['lint', ['npm', 'run', '--silent', 'lint']],
  ['unit tests', ['npx', 'vitest', 'run', '--config', 'main/vitest.config.ts']],
  ['build', ['npm', 'run', '--silent', 'build']],
  ['lab integration tests', ['npx', 'vitest', 'run', '--config', 'e2e/vitest.config.ts']],
  ['fault matrix', ['npm', 'run', '--silent', 'faults']],
  ['end-to-end (Playwright)', ['npx', 'playwright', 'test', '--config', 'e2e/playwright.config.ts']],
];

const only = process.argv.slice(2);
const started = Date.now();
const results = [];
for (const [name, [cmd, ...args]] of steps) {
  if (only.length > 0 && !only.some((o) => name.startsWith(o))) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  results.push({ name, ok: r.status === 0, seconds });
  console.log(`=== ${name}: ${r.status === 0 ? 'passed' : `FAILED (exit ${r.status ?? r.signal})`} in ${seconds} s`);
}
const total = ((Date.now() - started) / 1000).toFixed(1);
console.log('\nSummary');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(26)} ${r.seconds.padStart(7)} s`);
console.log(`  total ${total} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
