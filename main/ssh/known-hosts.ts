import { createHmac, timingSafeEqual } from 'node:crypto';
import { fingerprintSha256, keyType as blobKeyType } from './fingerprint';

// OpenSSH known_hosts, parsed and matched like ssh(1) does (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT",
// openssh hostfile.c and match.c). Pure: no file I/O here (see known-hosts-store.ts).

export interface KnownHostEntry {
  readonly file: string;
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | null;
  readonly names: { readonly kind: 'hashed'; readonly salt: Buffer; readonly hash: Buffer } | { readonly kind: 'patterns'; readonly patterns: readonly string[] };
  readonly keyType: string;
  readonly key: Buffer;
}

export interface KnownHostsIssue {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ParsedKnownHosts {
  readonly entries: readonly KnownHostEntry[];
  readonly issues: readonly KnownHostsIssue[];
}

export type HostKeyVerdict =
  | { readonly verdict: 'trusted'; readonly fingerprint: string }
  | { readonly verdict: 'unknown'; readonly fingerprint: string }
  | {
      readonly verdict: 'changed';
      readonly fingerprint: string;
      readonly knownFingerprint: string;
      /** The known key's type: the presented one's, or another when the host switched (or was made to switch) key types. */
      readonly knownKeyType: string;
      readonly knownAt: { readonly file: string; readonly line: number };
    }
  | { readonly verdict: 'revoked'; readonly fingerprint: string; readonly revokedAt: { readonly file: string; readonly line: number } };

const HASH_MAGIC = '|1|';

/** Parse one file's text; lines that do not parse are reported in `issues` and skipped. */
export function parseKnownHosts(text: string, file: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const issues: KnownHostsIssue[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const result = parseLine(trimmed, file, index + 1);
    if (typeof result === 'string') issues.push({ file, line: index + 1, message: result });
    else entries.push(result);
  });
  return { entries, issues };
}

function parseLine(text: string, file: string, line: number): KnownHostEntry | string {
  const fields = text.split(/\s+/);
  let marker: KnownHostEntry['marker'] = null;
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift();
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return `unknown marker ${JSON.stringify(name?.slice(0, 40))}`;
  }
  const [hostField, type, b64] = fields;
  if (hostField === undefined || type === undefined || b64 === undefined) return 'expected "hostnames keytype base64-key"';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return 'the key is not base64';
  const key = Buffer.from(b64, 'base64');
  const inner = blobKeyType(key);
  if (inner === null) return 'the key does not decode to an SSH public key';
  if (inner !== type) return `the line says ${type.slice(0, 40)} but the key is ${inner}`;
  if (hostField.startsWith(HASH_MAGIC)) {
    const [salt, hash, extra] = hostField.slice(HASH_MAGIC.length).split('|');
    if (salt === undefined || hash === undefined || extra !== undefined) return 'malformed hashed host name';
    const saltBuf = Buffer.from(salt, 'base64');
    const hashBuf = Buffer.from(hash, 'base64');
    // HMAC-SHA1: both the salt and the digest are 20 bytes (openssh hostfile.c host_hash).
    if (saltBuf.length !== 20 || hashBuf.length !== 20) return 'malformed hashed host name';
    return { file, line, marker, names: { kind: 'hashed', salt: saltBuf, hash: hashBuf }, keyType: type, key };
  }
  const patterns = hostField.split(',').filter((p) => p !== '');
  if (patterns.length === 0) return 'no host names';
  return { file, line, marker, names: { kind: 'patterns', patterns }, keyType: type, key };
}

/** The name ssh(1) looks up: plain for port 22, `[host]:port` otherwise (openssh misc.c put_host_port). */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The hashed form of a name, `|1|salt|hmac`, as `ssh-keygen -H` writes it. */
export function hashHostName(name: string, salt: Buffer): string {
  const hmac = createHmac('sha1', salt).update(name).digest();
  return `${HASH_MAGIC}${salt.toString('base64')}|${hmac.toString('base64')}`;
}

export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.names.kind === 'hashed') {
    const hmac = createHmac('sha1', entry.names.salt).update(name).digest();
    return timingSafeEqual(hmac, entry.names.hash);
  }
  return matchPatternList(name, entry.names.patterns);
}

/** A comma list of patterns: a negated match vetoes everything; otherwise any positive match wins. */
export function matchPatternList(name: string, patterns: readonly string[]): boolean {
  let positive = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!matchPattern(name, pattern)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** `*` is any run of characters (also empty), `?` exactly one; everything else is literal. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative glob with single-star backtracking: linear enough for host names, no regex building.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The verdict for a presented host key over the entries of all files (user files and the app's
 * store). `@cert-authority` lines never match (ssh2 negotiates no host certificates); a `@revoked`
 * line for this key wins over everything. A host known by any key is never `unknown` again: a key
 * of another type than the known ones is `changed`, since the client asks for the known types first
 * (preferredHostKeyAlgorithms) and a server that holds such a key always answers with it. Another
 * type means the box lost that key or is not the box: a man in the middle without the box's ed25519
 * key offering ECDSA must not get a first-contact prompt (OpenSSH only warns there).
 */
export function verdictFor(entries: readonly KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintSha256(blob);
  const type = blobKeyType(blob);
  const relevant = entries.filter((e) => e.marker !== 'cert-authority' && entryMatchesHost(e, host, port));
  const revoked = relevant.find((e) => e.marker === 'revoked' && e.key.equals(blob));
  if (revoked) return { verdict: 'revoked', fingerprint, revokedAt: { file: revoked.file, line: revoked.line } };
  const known = relevant.filter((e) => e.marker === null);
  if (known.some((e) => e.keyType === type && e.key.equals(blob))) return { verdict: 'trusted', fingerprint };
  // The key of the presented type if there is one, else the first known key of a type the client
  // asked for first (a DSA line, say, cannot be asked for: another type is then no surprise).
  const previous = known.find((e) => e.keyType === type) ?? known.find((e) => NEGOTIABLE_TYPES.has(e.keyType));
  if (previous) {
    return { verdict: 'changed', fingerprint, knownFingerprint: fingerprintSha256(previous.key), knownKeyType: previous.keyType, knownAt: { file: previous.file, line: previous.line } };
  }
  return { verdict: 'unknown', fingerprint };
}

/** Host key algorithms for each key type, in OpenSSH's default preference order. */
const ALGORITHMS_BY_TYPE: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  // ssh-rsa (SHA-1 signatures) last: already in ssh2's default list, moved up so an old server with
  // an RSA key but no rsa-sha2 still presents its RSA key rather than another type.
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
];
const NEGOTIABLE_TYPES: ReadonlySet<string> = new Set(ALGORITHMS_BY_TYPE.map(([type]) => type));

/**
 * The host key algorithms to ask for first: those of the key types already known for this host.
 * OpenSSH does the same (sshconnect2.c order_hostkeyalgs); without it, a host known only by its
 * ECDSA or RSA key would present ed25519. The server picks the first algorithm of the client's list
 * that it supports (RFC 4253 §7.1), so a box that still has a known key presents it, and verdictFor
 * can treat any other type as a changed key.
 */
export function preferredHostKeyAlgorithms(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const known = new Set(entries.filter((e) => e.marker === null && entryMatchesHost(e, host, port)).map((e) => e.keyType));
  return ALGORITHMS_BY_TYPE.filter(([type]) => known.has(type)).flatMap(([, algorithms]) => algorithms);
}

/** One known_hosts line for the app's store (plain name: the store is ours, not the user's). */
export function formatKnownHostsLine(host: string, port: number, blob: Buffer): string {
  const type = blobKeyType(blob) ?? 'unknown';
  return `${knownHostsName(host, port)} ${type} ${blob.toString('base64')}`;
}
