import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { auditEntrySchema, type AuditEntry, type AuditFilter, type AuditSummary } from '../../preload/contract';

// The audit log: append-only JSON lines in the data directory, one line per finished change
// (DESIGN.md "History"). Lines are never rewritten or dropped:
// - each entry is one write of one whole line on a file opened for appending, then fsync; a torn
//   last line (power cut mid-write) stays where it is, and the next entry starts on a line of its own;
// - a line that does not parse is listed as damaged (file and line number), never skipped silently;
// - past `maxBytes` the current file is renamed to audit-<time>.jsonl (rename is atomic) and a new one
//   begins; rotated files are kept and read with the current one, oldest first.
// The history list reads an index of summaries kept in memory: a file is parsed again only when it
// changed, and the current file only from where the last read stopped.

const CURRENT = 'audit.jsonl';
const ROTATED = /^audit-\d{8}T\d{6}(?:\d{3})?Z(?:-\d+)?\.jsonl$/;

/** Rotation point of the current file; about a thousand changes with their plans and states. */
export const DEFAULT_AUDIT_MAX_BYTES = 32 * 1024 * 1024;

type Summary = AuditSummary;
interface Indexed {
  readonly summary: Summary;
  readonly offset: number;
  readonly length: number;
}
interface FileIndex {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly lines: number;
  readonly records: Indexed[];
  /** A last line without its newline, when no append of ours is writing it: a torn write. */
  readonly tail: Indexed | null;
}

export interface AuditPage {
  /** Newest first. */
  readonly items: Summary[];
  /** How many matched the filter (damaged lines always match). */
  readonly total: number;
  readonly damaged: number;
}

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private appending = 0;
  private readonly index = new Map<string, FileIndex>();

  constructor(
    private readonly dataDir: string,
    private readonly maxBytes = DEFAULT_AUDIT_MAX_BYTES,
  ) {}

  get path(): string {
    return join(this.dataDir, CURRENT);
  }

  /** Appends are queued, so a rotation never runs between another append's check and write. */
  append(entry: AuditEntry): Promise<void> {
    const checked = auditEntrySchema.safeParse(entry);
    if (!checked.success) return Promise.reject(checked.error);
    const line = `${JSON.stringify(checked.data)}\n`;
    this.appending++;
    const next = this.queue.then(() => this.appendLine(line)).finally(() => this.appending--);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendLine(line: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const data = Buffer.from(line, 'utf8');
    let handle = await open(this.path, 'a+', 0o600);
    try {
      let { size } = await handle.stat();
      if (size > 0 && size + data.length > this.maxBytes) {
        await handle.close();
        await this.rotate();
        handle = await open(this.path, 'a+', 0o600);
        size = (await handle.stat()).size;
      }
      let out = data;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        // A torn last line stays a damaged line of its own instead of swallowing this entry.
        if (last[0] !== 0x0a) out = Buffer.concat([Buffer.from('\n'), data]);
      }
      let written = 0;
      while (written < out.length) written += (await handle.write(out, written, out.length - written)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private async rotate(): Promise<void> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '').replace(/Z$/, 'Z');
    const names = new Set(await readdir(this.dataDir));
    let name = `audit-${stamp}.jsonl`;
    for (let n = 1; names.has(name); n++) name = `audit-${stamp}-${n}.jsonl`;
    await rename(this.path, join(this.dataDir, name));
    // Same inode under its new name: its index stays good unless it names the old file in a damaged line.
    const idx = this.index.get(CURRENT);
    this.index.delete(CURRENT);
    if (idx && idx.tail === null && idx.records.every((r) => r.summary.kind === 'entry')) this.index.set(name, idx);
  }

  /** The log's files, oldest first: rotated ones by name (their time), then the current one. */
  async files(): Promise<string[]> {
    const names = await readdir(this.dataDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const rotated = names.filter((n) => ROTATED.test(n)).sort();
    return names.includes(CURRENT) ? [...rotated, CURRENT] : rotated;
  }

  /** Summaries matching the filter, newest first, with damaged lines among them where they are. */
  async list(filter: AuditFilter = {}): Promise<AuditPage> {
    const all = await this.summaries();
    let damaged = 0;
    const matched: Summary[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const s = all[i];
      if (!s) continue;
      if (s.kind === 'damaged') {
        damaged++;
        matched.push(s);
      } else if (matches(s, filter)) matched.push(s);
    }
    const offset = filter.offset ?? 0;
    return { items: matched.slice(offset, offset + (filter.limit ?? 200)), total: matched.length, damaged };
  }

  /** One entry in full (plan, states, steps), by its id; null when no line has that id. */
  async get(id: string): Promise<AuditEntry | null> {
    await this.summaries();
    for (const [file, idx] of this.index) {
      const hit = [...idx.records, ...(idx.tail ? [idx.tail] : [])].find((r) => r.summary.id === id && r.summary.kind === 'entry');
      if (!hit) continue;
      const handle = await open(join(this.dataDir, file), 'r');
      try {
        const buf = Buffer.alloc(hit.length);
        await handle.read(buf, 0, hit.length, hit.offset);
        return auditEntrySchema.parse(JSON.parse(buf.toString('utf8')));
      } finally {
        await handle.close();
      }
    }
    return null;
  }

  /** Entries for one host (or all), newest first, and how many lines could not be read. */
  async read(hostId: string | null, limit = 200): Promise<{ entries: AuditEntry[]; unreadable: number }> {
    const page = await this.list({ hostId, limit: 1000 });
    const entries: AuditEntry[] = [];
    for (const s of page.items) {
      if (entries.length >= limit) break;
      if (s.kind !== 'entry') continue;
      const entry = await this.get(s.id);
      if (entry) entries.push(entry);
    }
    return { entries, unreadable: page.damaged };
  }

  private async summaries(): Promise<Summary[]> {
    const files = await this.files();
    for (const known of [...this.index.keys()]) if (!files.includes(known)) this.index.delete(known);
    const out: Summary[] = [];
    for (const file of files) {
      const idx = await this.indexFile(file);
      for (const r of idx.records) out.push(r.summary);
      if (idx.tail && this.appending === 0) out.push(idx.tail.summary);
    }
    return out;
  }

  private async indexFile(file: string): Promise<FileIndex> {
    const path = join(this.dataDir, file);
    const st = await stat(path);
    const known = this.index.get(file);
    if (known && known.ino === st.ino && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
    // The current file only grows: read from where the last read stopped (a whole line ended there).
    const from = known && known.ino === st.ino && st.size > known.size ? known : null;
    let buf: Buffer;
    if (from) {
      const handle = await open(path, 'r');
      try {
        buf = Buffer.alloc(st.size - from.size);
        await handle.read(buf, 0, buf.length, from.size);
      } finally {
        await handle.close();
      }
    } else {
      buf = await readFile(path);
    }
    const base = from?.size ?? 0;
    const records = from ? [...from.records] : [];
    let lineNo = from?.lines ?? 0;
    let pos = 0;
    let consumed = 0;
    let tail: Indexed | null = null;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      // A last line without its newline in the current file may still be being written: it is read
      // again next time (the next append starts a new line after it), shown as damaged meanwhile.
      if (nl === -1 && file === CURRENT) {
        tail = indexLine(buf, pos, buf.length, base + pos, file, lineNo + 1);
        break;
      }
      const end = nl === -1 ? buf.length : nl;
      lineNo++;
      if (end > pos) records.push(indexLine(buf, pos, end, base + pos, file, lineNo));
      pos = end + 1;
      consumed = Math.min(pos, buf.length);
    }
    const idx: FileIndex = { ino: st.ino, size: base + consumed, mtimeMs: consumed === buf.length ? st.mtimeMs : -1, lines: lineNo, records, tail };
    this.index.set(file, idx);
    return idx;
  }
}

function indexLine(buf: Buffer, start: number, end: number, offset: number, file: string, line: number): Indexed {
  const raw = buf.subarray(start, end);
  const id = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  const length = end - start;
  const damaged = (reason: string): Indexed => ({
    summary: { kind: 'damaged', id, file, line, reason, preview: raw.subarray(0, 400).toString('utf8').slice(0, 200) },
    offset,
    length,
  });
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return damaged('not valid JSON (a torn or edited line)');
  }
  const parsed = auditEntrySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return damaged(`not an audit entry (${issue ? `${issue.path.map(String).join('.') || 'line'}: ${issue.message}` : 'unknown'})`.slice(0, 500));
  }
  const e = parsed.data;
  const started = e.startedAt ? Date.parse(e.startedAt) : NaN;
  const ended = Date.parse(e.time);
  return {
    summary: {
      kind: 'entry',
      id,
      time: e.time,
      hostId: e.hostId,
      hostLabel: e.hostLabel,
      localUser: e.localUser,
      action: e.action,
      bondName: e.bondName,
      result: e.result,
      message: e.message,
      runId: e.runId ?? null,
      durationMs: Number.isFinite(started) && Number.isFinite(ended) && ended >= started ? Math.round(ended - started) : null,
      recordedBy: e.recordedBy ?? 'app',
      restoreOf: e.restoreOf?.side ?? null,
    },
    offset,
    length,
  };
}

function matches(s: Extract<Summary, { kind: 'entry' }>, f: AuditFilter): boolean {
  if (f.hostId && s.hostId !== f.hostId) return false;
  if (f.bondName && s.bondName !== f.bondName) return false;
  if (f.result && s.result !== f.result) return false;
  if (f.runId && s.runId !== f.runId) return false;
  if (f.from && s.time < f.from) return false;
  if (f.to && s.time > f.to) return false;
  return true;
}
