import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plan } from '../plan/plan-types';
import { writeFileAtomic } from '../files/atomic-file';

// Plans whose change is armed on a box and waits for Keep or Revert, kept on disk so that after an
// app restart the pending change can still be confirmed (the confirm steps carry the files to write).

export interface InflightRecord {
  readonly hostId: string;
  readonly applyId: string;
  readonly plan: Plan;
  readonly deadline: string | null;
}

const SAFE = /^[A-Za-z0-9_-]{1,80}$/;

export class InflightStore {
  constructor(private readonly dataDir: string) {}

  private get dir(): string {
    return join(this.dataDir, 'inflight');
  }

  async save(record: InflightRecord): Promise<void> {
    if (!SAFE.test(record.plan.runId)) return;
    await writeFileAtomic(join(this.dir, `${record.plan.runId}.json`), JSON.stringify(record));
  }

  async remove(runId: string): Promise<void> {
    if (!SAFE.test(runId)) return;
    await rm(join(this.dir, `${runId}.json`), { force: true });
  }

  async get(runId: string): Promise<InflightRecord | null> {
    if (!SAFE.test(runId)) return null;
    const path = join(this.dir, `${runId}.json`);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return null;
    }
    try {
      const value = JSON.parse(text) as InflightRecord;
      if (value && typeof value === 'object' && value.plan?.runId === runId && Array.isArray(value.plan.steps)) return value;
    } catch {
      // fall through: keep the unreadable file aside rather than deleting evidence
    }
    await rename(path, `${path}.corrupt-${Date.now()}`).catch(() => undefined);
    return null;
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
  }
}
