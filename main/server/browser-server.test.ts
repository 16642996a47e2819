import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createDispatch } from '../ipc/dispatch';
import { createServices } from '../services/services';
import { startBrowserServer, type RunningServer } from './browser-server';

const TOKEN = 'test-token-0123456789abcdef';
let server: RunningServer;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return getAt(server.port, path, headers);
}

function getAt(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(headers: Record<string, string>, query = ''): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => undefined);
  });
}

function call(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

let root: string;
async function startServer(token = TOKEN): Promise<RunningServer> {
  const rendererDir = join(root, 'renderer');
  const services = createServices({ dataDir: join(root, `data-${Math.random().toString(36).slice(2)}`), mode: 'browser', version: 'test', cipher: null });
  return startBrowserServer({ port: 0, token, rendererDir, dispatch: createDispatch(services), events: services.events });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bs-server-'));
  const rendererDir = join(root, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Bondsmith</title>');
  server = await startServer();
});
afterAll(() => server.close());

describe('browser mode HTTP', () => {
  it('refuses a request without the token (401)', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong-token-0123456789ab')).status).toBe(401);
  });

  it('serves the page with the token, sets an HttpOnly cookie and a strict CSP', async () => {
    const res = await get(`/?token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Bondsmith</title>');
    expect(String(res.headers['set-cookie'])).toContain('HttpOnly');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get('/', { cookie: `bondsmith_token_${server.port}=${TOKEN}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) or Origin with 403, even with the token', async () => {
    expect((await get(`/?token=${TOKEN}`, { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(`/?token=${TOKEN}`, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('does not serve files outside the renderer directory', async () => {
    const res = await get(`/..%2f..%2fetc%2fpasswd?token=${TOKEN}`);
    expect(res.body).not.toContain('root:');
  });
});

describe('browser mode WebSocket', () => {
  const origin = () => `http://127.0.0.1:${server.port}`;

  it('refuses upgrades without the token, or with a foreign or missing Origin', async () => {
    expect(await openSocket({ origin: origin() })).toEqual({ status: 401 });
    expect(await openSocket({ origin: 'http://evil.example', cookie: `bondsmith_token_${server.port}=${TOKEN}` })).toEqual({ status: 403 });
    expect(await openSocket({ cookie: `bondsmith_token_${server.port}=${TOKEN}` })).toEqual({ status: 403 });
  });

  it('answers requests, and answers bad payloads with error envelopes instead of crashing', async () => {
    const opened = await openSocket({ origin: origin(), cookie: `bondsmith_token_${server.port}=${TOKEN}` });
    if (!('ws' in opened)) throw new Error(`upgrade refused: ${opened.status}`);
    const { ws } = opened;
    expect(await call(ws, { id: 1, channel: 'hosts.list', payload: {} })).toMatchObject({ id: 1, ok: true, value: { hosts: [] } });
    expect(await call(ws, 'not json')).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    expect(await call(ws, { id: 2, channel: 'nope', payload: {} })).toMatchObject({ id: 2, ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await call(ws, { id: 3, channel: 'hosts.add', payload: { label: 'x', port: 'ssh' } })).toMatchObject({ id: 3, ok: false, error: { code: 'INVALID' } });
    const badPort = await call(ws, {
      id: 4,
      channel: 'hosts.add',
      payload: { label: 'x', address: 'h', port: 70000, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags: [], useSudo: false },
    });
    expect(badPort).toMatchObject({ id: 4, ok: false, error: { code: 'INVALID', field: 'port', message: 'Port must be between 1 and 65535' } });
    expect(await call(ws, { id: 5, channel: 'hosts.remove', payload: { id: '../../etc' } })).toMatchObject({ id: 5, ok: false, error: { field: 'id' } });
    // Still alive after all of that.
    expect(await call(ws, { id: 6, channel: 'app.info', payload: {} })).toMatchObject({ id: 6, ok: true, value: { mode: 'browser' } });
    ws.close();
  });
});

/** The cookie a Set-Cookie header sets, as "name=value". */
function cookieOf(res: { headers: Record<string, unknown> }): string {
  const header = res.headers['set-cookie'];
  const first = Array.isArray(header) ? String(header[0]) : String(header);
  return first.split(';')[0] ?? '';
}

describe('browser mode cookie, two servers on two ports', () => {
  // Browsers send a 127.0.0.1 cookie to every port of 127.0.0.1 (RFC 6265 §8.5: cookies do not
  // isolate by port). The cookie's name carries the port, so each server reads only its own.
  let other: RunningServer;
  beforeAll(async () => {
    other = await startServer();
  });
  afterAll(() => other.close());

  it('names the cookie after the port, so the two servers never overwrite each other\'s', async () => {
    const mine = cookieOf(await get(`/?token=${TOKEN}`));
    const theirs = cookieOf(await getAt(other.port, `/?token=${TOKEN}`));
    expect(mine).toBe(`bondsmith_token_${server.port}=${TOKEN}`);
    expect(theirs).toBe(`bondsmith_token_${other.port}=${TOKEN}`);
    // What the browser now sends to either port: both cookies. Each server takes its own.
    const jar = `${mine}; ${theirs}`;
    expect((await get('/', { cookie: jar })).status).toBe(200);
    expect((await getAt(other.port, '/', { cookie: jar })).status).toBe(200);
  });

  it("refuses another port's cookie, even one carrying the same token, for pages and the WebSocket", async () => {
    const foreign = cookieOf(await getAt(other.port, `/?token=${TOKEN}`));
    expect((await get('/', { cookie: foreign })).status).toBe(401);
    // A service on another port that plants the old, portless name is not heard either.
    expect((await get('/', { cookie: `bondsmith_token=${TOKEN}` })).status).toBe(401);
    expect(await openSocket({ origin: `http://127.0.0.1:${server.port}`, cookie: foreign })).toEqual({ status: 401 });
    // One planted under our name with a longer Path is sent first; it does not hide ours.
    expect((await get('/', { cookie: `bondsmith_token_${server.port}=planted-0123456789abcdef; bondsmith_token_${server.port}=${TOKEN}` })).status).toBe(200);
  });
});
