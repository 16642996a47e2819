import { randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { hostsFileSchema, MAX_HOSTS, type HostsFile } from '../../preload/contract';
import { AppFailure } from '../errors';
import { writeFileAtomic } from '../files/atomic-file';

export type StoredHost = HostsFile['hosts'][number];

export interface StoreProblem {
  readonly message: string;
  readonly keptAs: string;
}

/**
 * The host inventory on disk: `hosts.json` in the data directory, parsed with the contract's schema
 * on load. A file that does not parse is moved aside as `hosts.json.corrupt-<time>` and reported,
 * never silently replaced (DESIGN.md "Bad input and failures"). A file that cannot be read at all
 * (EACCES, EISDIR, EIO) is left where it is: the store refuses every write, since writing would
 * replace the hosts it could not see, and reads it again on the next load until that succeeds.
 */
export class HostStore {
  private hosts: StoredHost[] = [];
  private problem: StoreProblem | null = null;
  private loaded = false;
  private loading: Promise<void> | null = null;
  /** Why the last read failed, while it has not succeeded since. */
  private readFailure: string | null = null;
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'hosts.json');
  }

  load(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    // One read at a time: two parallel first loads must not both move a corrupt file aside.
    this.loading ??= this.read().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async read(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        this.readFailure = code ?? (err instanceof Error ? err.message : String(err));
        throw this.unreadable();
      }
      this.readFailure = null;
      this.loaded = true;
      return;
    }
    this.readFailure = null;
    this.loaded = true;
    const parsed = safeJson(text);
    const result = parsed.ok ? hostsFileSchema.safeParse(parsed.value) : null;
    if (result?.success) {
      this.hosts = [...result.data.hosts];
      return;
    }
    const keptAs = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path, keptAs);
    const why = !parsed.ok ? 'it is not valid JSON' : `it does not match the expected format (${result?.error.issues[0]?.message ?? 'unknown'})`;
    this.problem = {
      message: `The host list could not be read because ${why}. It was kept aside and Bondsmith started with an empty list.`,
      keptAs,
    };
  }

  private unreadable(): AppFailure {
    return new AppFailure(
      'HOSTS_UNREADABLE',
      `The host list ${this.path} could not be read (${this.readFailure ?? 'not read yet'}), so Bondsmith will not change it: saving now would replace the hosts it holds. Fix the file's permissions (it must be a file you can read and write), then try again.`,
    );
  }

  /** Writes need the file read first: otherwise they would replace hosts this run never saw. */
  private assertWritable(): void {
    if (!this.loaded || this.readFailure !== null) throw this.unreadable();
  }

  storeProblem(): StoreProblem | null {
    return this.problem;
  }

  list(): readonly StoredHost[] {
    return this.hosts;
  }

  get(id: string): StoredHost | undefined {
    return this.hosts.find((h) => h.id === id);
  }

  async add(host: Omit<StoredHost, 'id'>): Promise<StoredHost> {
    this.assertWritable();
    if (this.hosts.length >= MAX_HOSTS) {
      throw new AppFailure('TOO_MANY_HOSTS', `The host list holds at most ${MAX_HOSTS} hosts. Remove one before adding another.`);
    }
    const stored: StoredHost = { ...host, id: randomUUID().replace(/-/g, '').slice(0, 16) };
    this.hosts = [...this.hosts, stored];
    await this.persist();
    return stored;
  }

  async update(id: string, host: Omit<StoredHost, 'id'>): Promise<StoredHost | undefined> {
    this.assertWritable();
    if (!this.get(id)) return undefined;
    const stored: StoredHost = { ...host, id };
    this.hosts = this.hosts.map((h) => (h.id === id ? stored : h));
    await this.persist();
    return stored;
  }

  async remove(id: string): Promise<boolean> {
    this.assertWritable();
    const before = this.hosts.length;
    this.hosts = this.hosts
      .filter((h) => h.id !== id)
      .map((h) => (h.jumpHostId === id ? { ...h, jumpHostId: null } : h));
    if (this.hosts.length === before) return false;
    await this.persist();
    return true;
  }

  private persist(): Promise<void> {
    const file: HostsFile = { version: 1, hosts: this.hosts };
    const text = `${JSON.stringify(file, null, 2)}\n`;
    // Serialise writes so a slow earlier write never lands after a later one.
    this.writeChain = this.writeChain.then(() => writeFileAtomic(this.path, text));
    return this.writeChain;
  }
}

function safeJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
