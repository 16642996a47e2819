import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Browser mode's front door. The server listens on 127.0.0.1 only, but any web page the user opens
// can still aim requests at it; three checks stop that: a per-launch token (query or cookie), the
// Host header (against DNS rebinding) and, for WebSocket upgrades, the Origin header.

/**
 * The token cookie's name carries the port. Cookies do not isolate by port (RFC 6265 §8.5): one set
 * by 127.0.0.1:8740 is sent to every port of 127.0.0.1, and another server there may set one for us.
 * With the port in the name, two Bondsmith servers (or another local service) never overwrite each
 * other's cookie, and this server reads only its own, never one planted under a shared name.
 */
export function tokenCookieName(port: number): string {
  return `bondsmith_token_${port}`;
}

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
  // Every cookie of that name counts: one planted with another Path must not hide ours.
  const fromCookies = readCookies(req.headers.cookie, tokenCookieName(policy.port));
  if (fromCookies.some((value) => sameSecret(value, policy.token))) return { ok: true, viaQuery: false };
  return { ok: false, status: 401, reason: 'Missing or wrong token' };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The values of every cookie called `name` in a Cookie header, in the order sent. */
export function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}
