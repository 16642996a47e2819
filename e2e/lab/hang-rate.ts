// How often does a UML guest hang? Boots a one-host lab again and again (bounded in boots and
// minutes), runs a few commands on each guest's control path, and counts guests that stopped
// answering (LAB_GUEST_HUNG, or a boot that never got ready). Prints boots, hangs, the rate, the time
// and the load average before and after (the machine is shared: say so with the figure).
// Run: BONDSMITH_LAB_SCOPE=<word> npx tsx e2e/lab/hang-rate.ts [--boots 50] [--max-minutes 15]
import { loadavg } from 'node:os';
import { labDown, labExec, labUp } from './lab';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} wants a positive number`);
  return v;
};
const BOOTS = arg('boots', 50);
const MAX_MS = arg('max-minutes', 15) * 60_000;
const LAB = 'hangrate';

async function main(): Promise<void> {
  const t0 = Date.now();
  const loadBefore = loadavg().map((x) => x.toFixed(1)).join(' ');
  let boots = 0;
  let hangs = 0;
  const notes: string[] = [];
  process.on('SIGINT', () => void labDown(LAB).finally(() => process.exit(130)));
  for (; boots < BOOTS && Date.now() - t0 < MAX_MS; ) {
    boots++;
    try {
      await labUp({ name: LAB, hosts: 1, flavors: 'linux' });
      for (let i = 0; i < 5; i++) await labExec('nas1', 'cat /proc/loadavg > /dev/null; echo ok', { timeoutMs: 20_000, probeTimeoutMs: 15_000 }, LAB);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (/stopped answering|to boot|sshd/.test(text)) hangs++;
      notes.push(`boot ${boots}: ${text.slice(0, 300)}`);
    } finally {
      await labDown(LAB);
    }
    process.stdout.write(`\rboots ${boots} hangs ${hangs} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`\nboots ${boots}, hangs ${hangs} (${boots > 0 ? ((100 * hangs) / boots).toFixed(1) : '0'} %), ${secs.toFixed(0)} s, ${(secs / Math.max(boots, 1)).toFixed(1)} s per boot; load ${loadBefore} -> ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const n of notes) console.log(`  ${n}`);
}

void main().catch(async (err: unknown) => {
  console.error(err);
  await labDown(LAB);
  process.exit(1);
});
