import { readdir } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { formatLimit, readRegularFile } from '../files/bounded-read';

// Imports the hosts of ~/.ssh/config without an external package (reference/ssh2-practice.md §3).
// Each concrete Host alias is resolved the way ssh(1) would: walk the whole file in order, apply
// lines of every matching Host block (wildcards included), first value wins except IdentityFile,
// which accumulates. Match blocks are never evaluated (`Match exec` would run commands): their
// lines are skipped with a warning.

// ---- Reading files: tokenising lines, expanding Include paths ----
/** A file that exists but is not read, and why ("not a regular file"). */
export interface SkippedFile {
  readonly skipped: string;
}

export interface SshConfigFs {
  /** The file's text; null when it is missing or unreadable; skipped when it is no config file (a device, a pipe, too big). */
  readFile(path: string): Promise<string | null | SkippedFile>;
  /** Entry names in a directory, or null when it is missing or unreadable. */
  listDir(path: string): Promise<string[] | null>;
}

export interface ConfigLine {
  /** Lower-cased: keywords are case-insensitive. */
  keyword: string;
  args: string[];
  where: string;
}

/** Splits arguments the way OpenSSH's argv_split does: quotes group, backslash escapes, # starts a comment. */
export function splitArgs(text: string): { args: string[]; error: string | null } {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    if (text[i] === '#') break;
    let arg = '';
    let quote: string | null = null;
    for (; i < text.length; i++) {
      const c = text[i] ?? '';
      if (quote === null && /\s/.test(c)) break;
      if (c === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === "'" || text[i + 1] === '\\' || (quote === null && /\s/.test(text[i + 1] ?? '')))) {
        arg += text[i + 1];
        i++;
      } else if (quote !== null && c === quote) quote = null;
      else if (quote === null && (c === '"' || c === "'")) quote = c;
      else arg += c;
    }
    if (quote !== null) return { args, error: 'unterminated quote' };
    args.push(arg);
  }
  return { args, error: null };
}

export function parseConfigText(text: string, file: string, warn: (m: string) => void): ConfigLine[] {
  const out: ConfigLine[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${idx + 1}`;
    // "Key value", "Key=value" and "Key = value" are all valid.
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line) ?? /^([A-Za-z][A-Za-z0-9]*)()$/.exec(line);
    if (!m || m[1] === undefined) {
      warn(`${where}: line not understood, skipped`);
      return;
    }
    const { args, error } = splitArgs(m[2] ?? '');
    if (error !== null) {
      warn(`${where}: ${error}, line skipped`);
      return;
    }
    out.push({ keyword: m[1].toLowerCase(), args, where });
  });
  return out;
}

/** ssh_config glob: `*` any run of characters, `?` exactly one. Case-insensitive for host names. */
export function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

export const hasWildcard = (s: string): boolean => /[*?]/.test(s);

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}

export function expandTilde(p: string, homeDir: string): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/')) return joinPath(homeDir, p.slice(2));
  return p;
}

/**
 * Files an Include argument names, in lexical order. Relative paths are relative to ~/.ssh
 * (ssh_config(5) "Include"). Wildcards may appear in any path segment; like glob(3), `*` does not
 * match a leading dot.
 */
export async function expandInclude(arg: string, homeDir: string, fs: SshConfigFs): Promise<string[]> {
  let path = expandTilde(arg, homeDir);
  if (!isAbsolutePath(path)) path = joinPath(joinPath(homeDir, '.ssh'), path);
  if (!hasWildcard(path)) return [path];
  const parts = path.split(/[\\/]/);
  // An absolute POSIX path starts with "" (the root); a Windows one with "C:".
  let bases = [parts[0] === '' ? '/' : (parts[0] ?? '')];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasWildcard(part)) {
        next.push(joinPath(base, part));
        continue;
      }
      const names = (await fs.listDir(base)) ?? [];
      const re = globToRegExp(part, false);
      for (const n of names) if (re.test(n) && (part.startsWith('.') || !n.startsWith('.'))) next.push(joinPath(base, n));
    }
    bases = next;
    if (bases.length === 0) break;
  }
  return bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---- Resolving hosts ----

export interface ImportedHost {
  alias: string;
  hostName: string;
  user: string | null;
  port: number;
  identityFiles: string[];
  proxyJump: string | null;
}

export interface SshConfigImport {
  hosts: ImportedHost[];
  warnings: string[];
}

export interface SshConfigImportOptions {
  homeDir: string;
  /** For %u in IdentityFile. */
  localUser?: string;
  /** Defaults to ~/.ssh/config. */
  configPath?: string;
}

// OpenSSH's READCONF_MAX_DEPTH.
const MAX_INCLUDE_DEPTH = 16;
/** A config file or an Include bigger than this is not read (ssh_config files are a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HOSTS = 1000;
const MAX_WARNINGS = 100;

type Resolved = {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  proxy?: { kind: 'jump'; value: string } | { kind: 'none' } | { kind: 'command' };
  ownHostLineMatched: boolean;
};

class ConfigReader {
  private readonly cache = new Map<string, ConfigLine[]>();
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();

  constructor(private readonly fs: SshConfigFs, private readonly homeDir: string) {}

  warn(message: string): void {
    if (this.warned.has(message) || this.warnings.length >= MAX_WARNINGS) return;
    this.warned.add(message);
    this.warnings.push(message);
  }

  async lines(path: string): Promise<ConfigLine[] | null> {
    const cached = this.cache.get(path);
    if (cached !== undefined) return cached;
    const text = await this.fs.readFile(path);
    if (text === null) return null;
    if (typeof text !== 'string' || text.length > MAX_CONFIG_BYTES) {
      this.warn(`${path}: ${typeof text === 'string' ? `larger than ${formatLimit(MAX_CONFIG_BYTES)}` : text.skipped}, not read`);
      this.cache.set(path, []);
      return [];
    }
    const parsed = parseConfigText(text, path, (m) => this.warn(m));
    this.cache.set(path, parsed);
    return parsed;
  }

  async includes(line: ConfigLine): Promise<string[]> {
    const files: string[] = [];
    for (const arg of line.args) {
      if (/%|\$\{/.test(arg)) this.warn(`${line.where}: tokens and environment variables in Include are not expanded ("${arg}")`);
      files.push(...(await expandInclude(arg, this.homeDir, this.fs)));
    }
    return files;
  }
}

/** Host line semantics (ssh_config(5) PATTERNS): any positive match and no negated match. */
export function hostLineMatches(patterns: readonly string[], host: string): boolean {
  let found = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const re = globToRegExp(negated ? p.slice(1) : p, true);
    if (re.test(host)) {
      if (negated) return false;
      found = true;
    }
  }
  return found;
}

const isConcreteAlias = (p: string): boolean => !p.startsWith('!') && !hasWildcard(p) && p !== '';

async function collectAliases(reader: ConfigReader, path: string, stack: readonly string[], out: Map<string, string>): Promise<void> {
  if (stack.includes(path)) {
    reader.warn(`${path}: includes itself (directly or through other files); the loop is not followed`);
    return;
  }
  const depth = stack.length;
  const lines = await reader.lines(path);
  if (lines === null) return;
  for (const line of lines) {
    if (line.keyword === 'host') for (const p of line.args) if (isConcreteAlias(p) && !out.has(p.toLowerCase())) out.set(p.toLowerCase(), p);
    if (line.keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) {
        reader.warn(`${line.where}: Include nested deeper than ${MAX_INCLUDE_DEPTH} levels (a loop?), not followed`);
        continue;
      }
      for (const f of await reader.includes(line)) await collectAliases(reader, f, [...stack, path], out);
    }
  }
}

function apply(line: ConfigLine, r: Resolved, reader: ConfigReader): void {
  const first = line.args[0];
  const known = ['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'proxycommand'];
  if (!known.includes(line.keyword)) return;
  if (first === undefined) {
    reader.warn(`${line.where}: ${line.keyword} has no value`);
    return;
  }
  switch (line.keyword) {
    case 'hostname':
      r.hostName ??= first;
      break;
    case 'user':
      r.user ??= first;
      break;
    case 'port': {
      if (r.port !== undefined) break;
      const n = /^\d{1,5}$/.test(first) ? Number(first) : NaN;
      if (n >= 1 && n <= 65535) r.port = n;
      else reader.warn(`${line.where}: "${first}" is not a port number, ignored`);
      break;
    }
    case 'identityfile':
      // "none" adds nothing (it only stops ssh from falling back to the default key files).
      if (first.toLowerCase() !== 'none') r.identityFiles.push(first);
      break;
    case 'proxyjump':
      r.proxy ??= first.toLowerCase() === 'none' ? { kind: 'none' } : { kind: 'jump', value: first };
      break;
    case 'proxycommand':
      r.proxy ??= first.toLowerCase() === 'none' ? { kind: 'none' } : { kind: 'command' };
      break;
  }
}

async function evaluate(reader: ConfigReader, path: string, host: string, active: boolean, stack: readonly string[], r: Resolved): Promise<void> {
  if (stack.includes(path)) return;
  const depth = stack.length;
  const lines = await reader.lines(path);
  if (lines === null) return;
  // A file starts in the activity of the line that included it; its own Host lines change it only
  // until the file ends (OpenSSH restores the outer state after an Include).
  let act = active;
  for (const line of lines) {
    if (line.keyword === 'host') {
      if (line.args.length === 0) reader.warn(`${line.where}: Host without patterns`);
      act = active && hostLineMatches(line.args, host);
      if (act && line.args.some((p) => isConcreteAlias(p) && p.toLowerCase() === host)) r.ownHostLineMatched = true;
    } else if (line.keyword === 'match') {
      reader.warn(`${line.where}: Match blocks are not evaluated; the settings in this one are not imported`);
      act = false;
    } else if (line.keyword === 'include') {
      if (!act || depth >= MAX_INCLUDE_DEPTH) continue;
      for (const f of await reader.includes(line)) await evaluate(reader, f, host, true, [...stack, path], r);
    } else if (act) apply(line, r, reader);
  }
}

/** %h, %r, %u, %p, %d and %% in IdentityFile (ssh_config(5) TOKENS); others are left as written. */
function expandTokens(p: string, t: { host: string; user: string; localUser: string; port: number; home: string }, warn: (m: string) => void): string {
  return p.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'h': return t.host;
      case 'r': return t.user;
      case 'u': return t.localUser;
      case 'p': return String(t.port);
      case 'd': return t.home;
      default:
        warn(`IdentityFile "${p}": token ${all} is not expanded`);
        return all;
    }
  });
}

export async function importSshConfig(fs: SshConfigFs, opts: SshConfigImportOptions): Promise<SshConfigImport> {
  const reader = new ConfigReader(fs, opts.homeDir);
  const configPath = opts.configPath ?? joinPath(joinPath(opts.homeDir, '.ssh'), 'config');
  if ((await reader.lines(configPath)) === null) return { hosts: [], warnings: [`${configPath} not found or not readable`] };
  const aliases = new Map<string, string>();
  await collectAliases(reader, configPath, [], aliases);
  const hosts: ImportedHost[] = [];
  for (const [lower, alias] of aliases) {
    if (hosts.length >= MAX_HOSTS) {
      reader.warn(`more than ${MAX_HOSTS} hosts; the rest are not imported`);
      break;
    }
    const r: Resolved = { identityFiles: [], ownHostLineMatched: false };
    await evaluate(reader, configPath, lower, true, [], r);
    // An alias whose own Host line can never apply (e.g. in a file included from another host's
    // block, or negated on the same line) is not a host ssh would connect to.
    if (!r.ownHostLineMatched) continue;
    if (r.proxy?.kind === 'command') reader.warn(`${alias}: ProxyCommand is not supported; imported without a proxy`);
    const hostName = (r.hostName ?? alias).replace(/%(%|h)/g, (_, c: string) => (c === 'h' ? alias : '%'));
    const port = r.port ?? 22;
    const user = r.user ?? null;
    const tokens = { host: hostName, user: user ?? opts.localUser ?? '', localUser: opts.localUser ?? '', port, home: opts.homeDir };
    hosts.push({
      alias,
      hostName,
      user,
      port,
      identityFiles: [...new Set(r.identityFiles.map((f) => expandTokens(expandTilde(f, opts.homeDir), tokens, (m) => reader.warn(`${alias}: ${m}`))))],
      proxyJump: r.proxy?.kind === 'jump' ? r.proxy.value : null,
    });
  }
  return { hosts, warnings: reader.warnings };
}

export interface JumpHop {
  user: string | null;
  host: string;
  port: number | null;
}

/** Splits a ProxyJump value (`[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated). */
export function parseProxyJump(value: string): JumpHop[] | null {
  const hops: JumpHop[] = [];
  for (const raw of value.split(',')) {
    const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(raw.trim());
    if (!m || m[2] === undefined) return null;
    const port = m[3] === undefined ? null : Number(m[3]);
    if (port !== null && (port < 1 || port > 65535)) return null;
    hops.push({ user: m[1] ?? null, host: m[2].replace(/^\[|\]$/g, ''), port });
  }
  return hops.length > 0 ? hops : null;
}

/** The real file system, for the app; tests use in-memory files. */
export function createNodeSshConfigFs(): SshConfigFs {
  return {
    readFile: async (p) => {
      const read = await readRegularFile(p, MAX_CONFIG_BYTES);
      if (read.ok) return read.data.toString('utf8');
      switch (read.reason) {
        case 'missing':
        case 'unreadable':
          return null;
        case 'not-regular':
          return { skipped: 'not a regular file' };
        case 'too-large':
          return { skipped: `larger than ${formatLimit(MAX_CONFIG_BYTES)}` };
      }
    },
    listDir: async (p) => readdir(p).catch(() => null),
  };
}

/** ~/.ssh/config of the user running Bondsmith. */
export async function importUserSshConfig(): Promise<SshConfigImport> {
  let localUser: string | undefined;
  try {
    localUser = userInfo().username;
  } catch {
    localUser = undefined;
  }
  return importSshConfig(createNodeSshConfigFs(), { homeDir: homedir(), localUser });
}
