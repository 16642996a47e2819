import { DISCOVERY_MARKER } from './discovery-script';

// Splits the discovery script's stdout into its framed sections. The marker carries the remote
// shell's PID; once the first BEGIN fixes it, look-alike lines with another number are content.

export interface DiscoverySection {
  /** Section id as the script wrote it: "ip-addr", "proc-bonding bond0", ... */
  id: string;
  content: string;
  /** Exit status from the END line; null when the section never ended (output cut short). */
  rc: number | null;
}

export interface SplitDiscovery {
  sections: Map<string, DiscoverySection>;
  /** The script printed its DONE line: nothing was cut off. */
  complete: boolean;
  /** At least one marker line was seen: the text really is discovery output. */
  recognised: boolean;
}

const MARKER_RE = new RegExp(`^${DISCOVERY_MARKER} (\\d{1,10}) (BEGIN|END|DONE)(?: (\\S+(?: \\S+)??))?(?: rc=(\\d{1,3}))?$`);
const MAX_SECTIONS = 200;

export function splitDiscoveryOutput(stdout: string): SplitDiscovery {
  const sections = new Map<string, DiscoverySection>();
  let nonce: string | null = null;
  let complete = false;
  let current: { id: string; lines: string[] } | null = null;

  const close = (rc: number | null): void => {
    if (current === null) return;
    const lines = current.lines;
    // The END marker is preceded by a newline of its own (the last line may lack one); drop it.
    if (rc !== null && lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (sections.size < MAX_SECTIONS && !sections.has(current.id)) sections.set(current.id, { id: current.id, content: lines.join('\n'), rc });
    current = null;
  };

  for (const line of stdout.split(/\r?\n/)) {
    const m = MARKER_RE.exec(line);
    if (m && (nonce === null || m[1] === nonce)) {
      const kind = m[2];
      if (kind === 'BEGIN' && m[3] !== undefined) {
        nonce = m[1] ?? null;
        close(null);
        current = { id: m[3], lines: [] };
        continue;
      }
      if (nonce !== null && kind === 'END' && current !== null && m[3] === current.id) {
        close(m[4] === undefined ? null : Number(m[4]));
        continue;
      }
      if (nonce !== null && kind === 'DONE') {
        close(null);
        complete = true;
        continue;
      }
    }
    if (current !== null) current.lines.push(line);
  }
  close(null);
  return { sections, complete, recognised: nonce !== null };
}

/** `key=value` lines (the meta section). Later duplicates do not override earlier ones. */
export function parseKeyValues(content: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of content.split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    if (!out.has(key)) out.set(key, line.slice(i + 1).trim());
  }
  return out;
}

/** Every `key=value` line in order, repeated keys included (bounded: hostile output is cut at 2,000 lines). */
export function parseKeyValueLines(content: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of content.split('\n').slice(0, 2000)) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    out.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  return out;
}

/** os-release style `KEY="value"` with shell quoting reduced to what os-release(5) allows. */
export function parseOsRelease(content: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of content.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m || m[1] === undefined || m[2] === undefined) continue;
    let v = m[2];
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) v = v.slice(1, -1);
    if (q === '"') v = v.replace(/\\(["\\$`])/g, '$1');
    if (!out.has(m[1])) out.set(m[1], v);
  }
  return out;
}

/**
 * The JSON value in a section that may also hold error text (commands run with 2>&1): the whole
 * content if it parses, else the last line that does. undefined when nothing parses.
 */
export function extractJson(content: string): unknown {
  const text = content.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // fall through to line by line
  }
  const lines = text.split('\n').reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('[') && !t.startsWith('{')) continue;
    try {
      return JSON.parse(t) as unknown;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** The first line of a section's text, for warnings ("[EACCES] Not authorized"). */
export function firstLineOf(content: string): string {
  const line = content.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}
