import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-file';
import { formatLimit, readRegularFile } from '../files/bounded-read';
import { inflightRecordSchema, RUN_ID_PATTERN, type InflightRecord } from './inflight-record';

// Plans whose change is armed on a box and waits for Keep or Revert, kept on disk so that after an
// app restart the pending change can still be confirmed (the confirm steps carry the files to write).
// What comes back is checked against inflight-record.ts; anything else is kept aside, never run.

export type { InflightRecord } from './inflight-record';

export type InflightLookup =
  | { readonly kind: 'found'; readonly record: InflightRecord }
  | { readonly kind: 'missing' }
  /** The file was there but is not a plan Bondsmith wrote for this run: moved to `keptAs`. */
  | { readonly kind: 'refused'; readonly reason: string; readonly keptAs: string | null };

/** Far above any real plan (a few files' content); a bigger file is not read at all. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export class InflightStore {
  constructor(private readonly dataDir: string) {}

  private get dir(): string {
    return join(this.dataDir, 'inflight');
  }

  async save(record: InflightRecord): Promise<void> {
    if (!RUN_ID_PATTERN.test(record.plan.runId)) return;
    await writeFileAtomic(join(this.dir, `${record.plan.runId}.json`), JSON.stringify(record));
  }

  async remove(runId: string): Promise<void> {
    if (!RUN_ID_PATTERN.test(runId)) return;
    await rm(join(this.dir, `${runId}.json`), { force: true });
  }

  async get(runId: string): Promise<InflightLookup> {
    if (!RUN_ID_PATTERN.test(runId)) return { kind: 'missing' };
    const path = join(this.dir, `${runId}.json`);
    const text = await readBounded(path);
    if (text === null) return { kind: 'missing' };
    const checked = typeof text === 'string' ? checkRecord(text, runId) : { ok: false as const, reason: text.refused };
    if (checked.ok) return { kind: 'found', record: checked.record };
    // Kept aside rather than deleted: it is evidence, and the user is told where it is.
    const keptAs = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const moved = await rename(path, keptAs).then(
      () => true,
      () => false,
    );
    return { kind: 'refused', reason: checked.reason, keptAs: moved ? keptAs : null };
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
  }
}

type Checked = { readonly ok: true; readonly record: InflightRecord } | { readonly ok: false; readonly reason: string };

function checkRecord(text: string, runId: string): Checked {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, reason: 'it is not valid JSON' };
  }
  const parsed = inflightRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.map(String).join('.') || 'record'}: ${issue.message}` : 'unknown';
    return { ok: false, reason: `it does not match the saved-plan format (${where})` };
  }
  if (parsed.data.plan.runId !== runId) return { ok: false, reason: `it holds the plan of another change (${parsed.data.plan.runId})` };
  return { ok: true, record: parsed.data };
}

/** The file's text; null when there is none; `refused` when it is not a regular file or too big. */
async function readBounded(path: string): Promise<string | null | { refused: string }> {
  const read = await readRegularFile(path, MAX_RECORD_BYTES);
  if (read.ok) return read.data.toString('utf8');
  switch (read.reason) {
    case 'missing':
      return null;
    case 'not-regular':
      return { refused: 'it is not a regular file' };
    case 'too-large':
      return { refused: `it is larger than ${formatLimit(MAX_RECORD_BYTES)}` };
    case 'unreadable':
      return { refused: `it cannot be read (${read.code ?? 'error'})` };
  }
}
