import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomic-file';
import { keyType as blobKeyType } from './fingerprint';
import { formatKnownHostsLine, parseKnownHosts, verdictFor, type HostKeyVerdict, type KnownHostEntry, type KnownHostsIssue } from './known-hosts';
import { SshError } from './ssh-error';

// Reading known_hosts files and appending to the app's own store. The user's ~/.ssh/known_hosts is
// only ever read (DESIGN.md: seed from it, never write it); trust decisions go to the app store.

export interface KnownHostsFiles {
  /** OpenSSH files to consult, read-only (typically ~/.ssh/known_hosts). */
  readonly userFiles: readonly string[];
  /** The app's own store, OpenSSH format, written atomically. */
  readonly appStore: string;
}

/** OpenSSH's defaults: UserKnownHostsFile (~/.ssh/known_hosts, known_hosts2), GlobalKnownHostsFile. */
export function defaultUserKnownHostsFiles(home: string = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
}

export interface LoadedKnownHosts {
  readonly entries: readonly KnownHostEntry[];
  readonly issues: readonly KnownHostsIssue[];
}

/**
 * Each file's parsed lines, kept while the file is unchanged (same inode, size and mtime; the app
 * store is replaced by rename on every write). Every connect reads the files, and a fleet connecting
 * at once would otherwise parse the same known_hosts once per host: N hosts times N lines. Holding
 * the promise lets the connects of one burst share a single read.
 */
const parsedFiles = new Map<string, { readonly stamp: string; readonly parsed: Promise<ReturnType<typeof parseKnownHosts>> }>();

/** Read every file; a missing file is simply empty, an unreadable one is reported as an issue. */
export async function loadKnownHosts(files: readonly string[]): Promise<LoadedKnownHosts> {
  const entries: KnownHostEntry[] = [];
  const issues: KnownHostsIssue[] = [];
  for (const file of files) {
    let parsed: ReturnType<typeof parseKnownHosts>;
    try {
      parsed = await readParsed(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') issues.push({ file, line: 0, message: `cannot read the file (${code ?? 'error'})` });
      continue;
    }
    entries.push(...parsed.entries);
    issues.push(...parsed.issues);
  }
  return { entries, issues };
}

async function readParsed(file: string): Promise<ReturnType<typeof parseKnownHosts>> {
  const st = await stat(file);
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const cached = parsedFiles.get(file);
  if (cached?.stamp === stamp) return cached.parsed;
  const parsed = readFile(file, 'utf8').then((text) => parseKnownHosts(text, file));
  parsedFiles.set(file, { stamp, parsed });
  // A failed read is not remembered: the next connect tries again.
  parsed.catch(() => {
    if (parsedFiles.get(file)?.parsed === parsed) parsedFiles.delete(file);
  });
  return parsed;
}

export async function checkHostKey(files: KnownHostsFiles, host: string, port: number, blob: Buffer): Promise<HostKeyVerdict & { issues: readonly KnownHostsIssue[] }> {
  const loaded = await loadKnownHosts([...files.userFiles, files.appStore]);
  return { ...verdictFor(loaded.entries, host, port, blob), issues: loaded.issues };
}

// Appends to one store are serialized in this process so that two trusts never lose each other.
const storeQueues = new Map<string, Promise<unknown>>();

/**
 * Record (host, port, key) as trusted in the app store. A no-op when the store already trusts it;
 * refuses when the store holds a different key for the host, of the same type or another (a changed
 * key is never accepted through this API), or revokes it. Existing lines, even unparseable ones,
 * are kept as they are.
 */
export function trustHostKey(storePath: string, host: string, port: number, keyType: string, blob: Buffer): Promise<void> {
  const previous = storeQueues.get(storePath) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => appendTrusted(storePath, host, port, keyType, blob));
  storeQueues.set(storePath, next);
  void next.finally(() => {
    if (storeQueues.get(storePath) === next) storeQueues.delete(storePath);
  }).catch(() => undefined);
  return next;
}

async function appendTrusted(storePath: string, host: string, port: number, keyType: string, blob: Buffer): Promise<void> {
  if (blobKeyType(blob) !== keyType) {
    throw new SshError('KNOWN_HOSTS_WRITE_FAILED', `Refusing to store a host key for ${host}:${port}: the key is not of type ${keyType}.`);
  }
  let existing = '';
  try {
    existing = await readFile(storePath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SshError('KNOWN_HOSTS_WRITE_FAILED', `Cannot read the host key store ${storePath} (${(err as NodeJS.ErrnoException).code ?? 'error'}); fix its permissions.`);
    }
  }
  const current = verdictFor(parseKnownHosts(existing, storePath).entries, host, port, blob);
  switch (current.verdict) {
    case 'trusted':
      return;
    case 'changed':
      throw new SshError('HOST_KEY_CHANGED', `The stored ${current.knownKeyType} key for ${host}:${port} is ${current.knownFingerprint}, not ${current.fingerprint} (${keyType}); a changed host key cannot be trusted from Bondsmith. Remove line ${current.knownAt.line} of ${current.knownAt.file} by hand if the change is expected.`);
    case 'revoked':
      throw new SshError('HOST_KEY_REVOKED', `The key ${current.fingerprint} is revoked for ${host}:${port} in ${current.revokedAt.file}.`);
    case 'unknown':
      break;
  }
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  try {
    await writeFileAtomic(storePath, `${existing}${separator}${formatKnownHostsLine(host, port, blob)}\n`);
  } catch (err) {
    throw new SshError('KNOWN_HOSTS_WRITE_FAILED', `Cannot write the host key store ${storePath} (${(err as NodeJS.ErrnoException).code ?? 'error'}); check the directory's permissions and free space.`);
  }
}
