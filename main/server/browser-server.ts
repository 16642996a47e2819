import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import type { Dispatch } from '../ipc/dispatch';
import type { EventHub } from '../services/event-sink';
import { checkAccess, tokenCookieName } from './access';
import { SECURITY_HEADERS } from './csp';
import { readStatic } from './static-files';

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
const messageSchema = z.object({ id: z.number().int().nonnegative().max(2 ** 53), channel: z.string().max(64), payload: z.unknown() });

export interface BrowserServerOptions {
  readonly port: number;
  readonly token: string;
  readonly rendererDir: string;
  readonly dispatch: Dispatch;
  readonly events: EventHub;
}

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Browser mode: the same services behind HTTP (static renderer) and a WebSocket (requests and events), on 127.0.0.1 only. */
export async function startBrowserServer(opts: BrowserServerOptions): Promise<RunningServer> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let port = opts.port;

  server.on('request', (req, res) => void serveHttp(req, res));
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkAccess(req, { token: opts.token, port }, true);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (!verdict.ok || path !== '/ws') {
      const status = verdict.ok ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws));
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = checkAccess(req, { token: opts.token, port }, false);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`${verdict.reason}. Open the URL that \`npm run serve\` printed.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = await readStatic(opts.rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not found\n');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': file.type, 'Cache-Control': 'no-store', ...SECURITY_HEADERS };
    if (verdict.viaQuery) {
      headers['Set-Cookie'] = `${tokenCookieName(port)}=${opts.token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  function attachSocket(ws: WebSocket): void {
    const unsubscribe = opts.events.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      void (async () => {
        const reply = await handleMessage(isBinary ? null : rawText(data));
        if (reply && ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      })();
    });
  }

  async function handleMessage(text: string | null): Promise<object | null> {
    let raw: unknown;
    try {
      raw = text === null ? null : (JSON.parse(text) as unknown);
    } catch {
      return { id: null, ok: false, error: { code: 'BAD_MESSAGE', message: 'Messages are JSON: { id, channel, payload }' } };
    }
    const message = messageSchema.safeParse(raw);
    if (!message.success) {
      const id = raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'number' ? raw.id : null;
      return { id, ok: false, error: { code: 'BAD_MESSAGE', message: 'Messages are JSON: { id, channel, payload }' } };
    }
    const envelope = await opts.dispatch(message.data.channel, message.data.payload);
    return { id: message.data.id, ...envelope };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${opts.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
