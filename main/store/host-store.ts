import { randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { hostsFileSchema, type HostsFile } from '../../preload/contract';
import { writeFileAtomic } from '../files/atomic-file';

export type StoredHost = HostsFile['hosts'][number];

export interface StoreProblem {
  readonly message: string;
  readonly keptAs: string;
}

/**
 * The host inventory on disk: `hosts.json` in the data directory, parsed with the contract's schema
 * on load. A file that does not parse is moved aside as `hosts.json.corrupt-<time>` and reported,
 * never silently replaced (DESIGN.md "Bad input and failures").
 */
export class HostStore {
  private hosts: StoredHost[] = [];
  private problem: StoreProblem | null = null;
  private loaded = false;
  private writeChain: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'hosts.json');
  }

  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
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
    const stored: StoredHost = { ...host, id: randomUUID().replace(/-/g, '').slice(0, 16) };
    this.hosts = [...this.hosts, stored];
    await this.persist();
    return stored;
  }

  async update(id: string, host: Omit<StoredHost, 'id'>): Promise<StoredHost | undefined> {
    if (!this.get(id)) return undefined;
    const stored: StoredHost = { ...host, id };
    this.hosts = this.hosts.map((h) => (h.id === id ? stored : h));
    await this.persist();
    return stored;
  }

  async remove(id: string): Promise<boolean> {
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
