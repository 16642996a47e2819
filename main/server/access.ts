import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Browser mode's front door. The server listens on 127.0.0.1 only, but any web page the user opens
// can still aim requests at it; three checks stop that: a per-launch token (query or cookie), the
// Host header (against DNS rebinding) and, for WebSocket upgrades, the Origin header.

export const TOKEN_COOKIE = 'bondsmith_token';

export interface AccessPolicy {
  readonly token: string;
  readonly port: number;
}

export type AccessVerdict = { ok: true; viaQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkAccess(req: Pick<IncomingMessage, 'headers' | 'url'>, policy: AccessPolicy, upgrade: boolean): AccessVerdict {
  const host = req.headers.host;
  if (!host || !allowedHosts(policy.port).includes(host.toLowerCase())) {
    return { ok: false, status: 403, reason: 'Host not allowed' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const allowed = allowedHosts(policy.port).map((h) => `http://${h}`);
    if (!allowed.includes(origin.toLowerCase())) return { ok: false, status: 403, reason: 'Origin not allowed' };
  } else if (upgrade) {
    // Browsers always send Origin on WebSocket upgrades; a missing one is not a page of ours.
    return { ok: false, status: 403, reason: 'Origin required' };
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null && sameSecret(fromQuery, policy.token)) return { ok: true, viaQuery: true };
  const fromCookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
  if (fromCookie !== null && sameSecret(fromCookie, policy.token)) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'Missing or wrong token' };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
