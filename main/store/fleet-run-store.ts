import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fleetRunIdSchema, fleetRunSchema, type FleetRun } from '../../preload/contract';
import { writeFileAtomic } from '../files/atomic-file';
import { readRegularFile } from '../files/bounded-read';

// Fleet rollouts on disk, one JSON file per run, rewritten atomically at each host's change of
// state: after an app restart a run still shows where it stopped. A file that does not parse is
// kept aside (.corrupt-<time>) and counted, never rewritten.

const MAX_RUN_BYTES = 4 * 1024 * 1024;

export class FleetRunStore {
  constructor(private readonly dataDir: string) {}

  get dir(): string {
    return join(this.dataDir, 'fleet-runs');
  }

  async save(run: FleetRun): Promise<void> {
    const runId = fleetRunIdSchema.parse(run.runId);
    await writeFileAtomic(join(this.dir, `${runId}.json`), JSON.stringify(fleetRunSchema.parse(run)));
  }

  /** Every readable run, newest first, and how many files were kept aside as unreadable. */
  async list(): Promise<{ runs: FleetRun[]; unreadable: number }> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') && fleetRunIdSchema.safeParse(n.slice(0, -5)).success);
    const runs: FleetRun[] = [];
    let unreadable = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const read = await readRegularFile(path, MAX_RUN_BYTES);
      if (!read.ok && read.reason === 'missing') continue;
      const run = read.ok ? parseRun(read.data.toString('utf8'), name.slice(0, -5)) : null;
      if (run) {
        runs.push(run);
        continue;
      }
      unreadable++;
      await rename(path, `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`).catch(() => undefined);
    }
    runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { runs, unreadable };
  }
}

function parseRun(text: string, runId: string): FleetRun | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    return null;
  }
  const parsed = fleetRunSchema.safeParse(raw);
  return parsed.success && parsed.data.runId === runId ? parsed.data : null;
}
