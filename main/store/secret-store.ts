import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-file';

/** Encrypts and decrypts with the OS keyring (Electron's safeStorage); absent where there is none. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

/**
 * Passwords and key passphrases, held only in main. With a cipher they are stored encrypted in
 * `secrets.json`; without one (browser mode, or no OS keyring) they live in memory for this run only
 * and are never written to disk (DESIGN.md: "where no OS keyring exists, the app does not store them").
 */
export class SecretStore {
  private readonly memory = new Map<string, string>();
  private sealed: Record<string, string> = {};
  private loaded = false;

  constructor(
    private readonly dataDir: string,
    private readonly cipher: SecretCipher | null,
  ) {}

  get persisted(): boolean {
    return this.cipher !== null;
  }

  private get path(): string {
    return join(this.dataDir, 'secrets.json');
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.cipher) return;
    this.loaded = true;
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') this.sealed[k] = v;
      }
    } catch {
      // Missing or unreadable: start empty; the user is asked for the secret again when it is needed.
    }
  }

  async has(id: string): Promise<boolean> {
    await this.load();
    return this.memory.has(id) || id in this.sealed;
  }

  async get(id: string): Promise<string | undefined> {
    await this.load();
    const inMemory = this.memory.get(id);
    if (inMemory !== undefined) return inMemory;
    const sealed = this.sealed[id];
    if (sealed === undefined || !this.cipher) return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch {
      return undefined;
    }
  }

  async set(id: string, secret: string): Promise<void> {
    await this.load();
    this.memory.set(id, secret);
    if (!this.cipher) return;
    this.sealed[id] = this.cipher.encrypt(secret).toString('base64');
    await writeFileAtomic(this.path, JSON.stringify(this.sealed));
  }

  async delete(id: string): Promise<void> {
    await this.load();
    this.memory.delete(id);
    if (!(id in this.sealed)) return;
    delete this.sealed[id];
    if (this.cipher) await writeFileAtomic(this.path, JSON.stringify(this.sealed));
  }
}
