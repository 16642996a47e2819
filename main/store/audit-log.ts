import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auditEntrySchema, type AuditEntry } from '../../preload/contract';

// The audit log: append-only JSON lines in the data directory, one line per finished change
// (DESIGN.md "History"). Each entry is written with one append call; a line that does not parse on
// read is counted and skipped, never rewritten.


export class AuditLog {
  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'audit.jsonl');
  }

  async append(entry: AuditEntry): Promise<void> {
    const line = `${JSON.stringify(auditEntrySchema.parse(entry))}\n`;
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await appendFile(this.path, line, { encoding: 'utf8', mode: 0o600 });
  }

  /** Entries for one host (or all), newest first, and how many lines could not be read. */
  async read(hostId: string | null, limit = 200): Promise<{ entries: AuditEntry[]; unreadable: number }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], unreadable: 0 };
      throw err;
    }
    const entries: AuditEntry[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      const parsed = auditEntrySchema.safeParse(raw);
      if (!parsed.success) {
        unreadable++;
        continue;
      }
      if (hostId === null || parsed.data.hostId === hostId) entries.push(parsed.data);
    }
    return { entries: entries.reverse().slice(0, limit), unreadable };
  }
}
