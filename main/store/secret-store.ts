import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppFailure } from '../errors';
import { writeFileAtomic } from '../files/atomic-file';
import type { StoreProblem } from './host-store';

/** Encrypts and decrypts with the OS keyring (Electron's safeStorage); absent where there is none. */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

/**
 * Passwords and key passphrases, held only in main. With a cipher they are stored encrypted in
 * `secrets.json`; without one (browser mode, or no OS keyring) they live in memory for this run only
 * and are never written to disk (DESIGN.md: "where no OS keyring exists, the app does not store them").
 *
 * Like hosts.json (DESIGN.md "Bad input and failures"): a file that does not parse is moved aside as
 * `secrets.json.corrupt-<time>` and reported, so the next save does not silently drop every other
 * host's secret; a file that cannot be read is left alone and writes are refused until it reads.
 */
export class SecretStore {
  private readonly memory = new Map<string, string>();
  /** Host id -> base64 ciphertext. A Map, so host ids never meet Object.prototype ("constructor"). */
  private readonly sealed = new Map<string, string>();
  private loaded = false;
  private loading: Promise<void> | null = null;
  private readFailure: string | null = null;
  private damaged: StoreProblem | null = null;

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

  /** A damaged secrets.json found (and kept aside) on load, for the host list to report. */
  async problem(): Promise<StoreProblem | null> {
    await this.load();
    return this.damaged;
  }

  private load(): Promise<void> {
    if (this.loaded || !this.cipher) return Promise.resolve();
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
        // Left where it is, and not loaded: the next call reads it again.
        this.readFailure = code ?? (err instanceof Error ? err.message : String(err));
        return;
      }
      text = '{}';
    }
    this.readFailure = null;
    this.loaded = true;
    const entries = parseSealed(text);
    if (entries.ok) {
      for (const [id, value] of entries.value) this.sealed.set(id, value);
      return;
    }
    const keptAs = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(this.path, keptAs);
    this.damaged = {
      message: `The saved passwords and passphrases could not be read because ${entries.why}. The file was kept aside; Bondsmith asks for each secret again when a host needs it.`,
      keptAs,
    };
  }

  /** Throws unless a secret can be saved now: the caller checks before changing anything else. */
  async assertWritable(): Promise<void> {
    await this.load();
    if (this.readFailure !== null) {
      throw new AppFailure(
        'SECRETS_UNREADABLE',
        `The saved passwords ${this.path} could not be read (${this.readFailure}), so Bondsmith will not change them: saving now would drop every other host's secret. Fix the file's permissions (it must be a file you can read and write), then try again.`,
      );
    }
  }

  async has(id: string): Promise<boolean> {
    await this.load();
    return this.memory.has(id) || this.sealed.has(id);
  }

  async get(id: string): Promise<string | undefined> {
    await this.load();
    const inMemory = this.memory.get(id);
    if (inMemory !== undefined) return inMemory;
    const sealed = this.sealed.get(id);
    if (sealed === undefined || !this.cipher) return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(sealed, 'base64'));
    } catch {
      return undefined;
    }
  }

  async set(id: string, secret: string): Promise<void> {
    if (this.cipher) await this.assertWritable();
    this.memory.set(id, secret);
    if (!this.cipher) return;
    this.sealed.set(id, this.cipher.encrypt(secret).toString('base64'));
    await this.save();
  }

  async delete(id: string): Promise<void> {
    if (this.cipher) await this.assertWritable();
    this.memory.delete(id);
    if (!this.sealed.delete(id)) return;
    await this.save();
  }

  private save(): Promise<void> {
    return writeFileAtomic(this.path, JSON.stringify(Object.fromEntries(this.sealed)));
  }
}

function parseSealed(text: string): { ok: true; value: [string, string][] } | { ok: false; why: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, why: 'it is not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, why: 'it does not match the expected format (not an object)' };
  const value = Object.entries(parsed);
  const bad = value.find(([, v]) => typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v));
  if (bad) return { ok: false, why: 'it does not match the expected format (a value is not encrypted text)' };
  return { ok: true, value: value as [string, string][] };
}
