import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { channels, type ChannelName } from '../preload/contract';
import { createDispatch, type Dispatch } from './ipc/dispatch';
import { parseDiscovery } from './discovery/parse-discovery';
import { startBrowserServer, type RunningServer } from './server/browser-server';
import { createServices, type Services } from './services/services';

// Fuzzing, bounded in count and time: random and hostile payloads for every contract channel through
// main's dispatch and through browser mode's WebSocket, and hostile remote answers to the discovery
// parser. The PRNG is seeded (BONDSMITH_FUZZ_SEED to replay a failure; the seed is printed). Every
// answer must be an envelope (ok true, or ok false with a code and a message); nothing may throw,
// reject, hang or pollute Object.prototype. Only channels that cannot reach the network are given
// payloads that could pass their schemas: no host is ever added with a real address, so connect,
// refresh and apply only meet unknown ids.

const SEED = Number(process.env.BONDSMITH_FUZZ_SEED ?? 0x5eed16);
const PER_CHANNEL = Number(process.env.BONDSMITH_FUZZ_PER_CHANNEL ?? 60);
const TOKEN = 'fuzz-token-0123456789abcdef';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)] as T;

const STRINGS = ['', ' ', 'a', '__proto__', 'constructor', 'prototype', '../../etc/passwd', '/dev/zero', '/proc/self/mem', '\u0000', '\u202e', '\ud800', '$(touch /tmp/fuzz-pwned)', '`id`', "'; rm -rf / #", 'bond0', 'eno1', '192.0.2.1', '::1', 'x'.repeat(10_000), '🙂'.repeat(500), '%s%n', 'NaN', '1e309'];

function value(depth: number): unknown {
  const k = int(depth > 4 ? 7 : 10);
  switch (k) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_SAFE_INTEGER, 1e308]);
    case 3: return pick(STRINGS);
    case 4: return Array.from({ length: int(4) }, () => pick(STRINGS));
    case 5: return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as unknown;
    case 6: return {};
    case 7: return Array.from({ length: int(5) }, () => value(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(6); i > 0; i--) o[pick(['id', 'hostId', 'planId', 'applyId', 'path', 'host', 'spec', 'name', 'members', 'fingerprint', 'decision', 'runId', 'autoKeep', 'bondName', 'action', '__proto__', 'x'])] = value(depth + 1);
      return o;
    }
  }
}

function deep(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = rand() < 0.5 ? [v] : { a: v };
  return v;
}

/** A hostile payload for a channel: random values, deep nesting, prototype keys, wrong types. */
function payload(): unknown {
  const r = rand();
  if (r < 0.1) return deep(1000 + int(5000));
  if (r < 0.15) return undefined;
  return value(0);
}

interface Figures {
  sent: number;
  crashes: string[];
  codes: Map<string, number>;
  peakRss: number;
}
const figures: Figures = { sent: 0, crashes: [], codes: new Map(), peakRss: 0 };

function record(where: string, env: unknown): void {
  figures.peakRss = Math.max(figures.peakRss, process.memoryUsage().rss);
  const e = env as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (e?.ok === true) return void figures.codes.set('ok', (figures.codes.get('ok') ?? 0) + 1);
  if (e?.ok === false && typeof e.error?.code === 'string' && typeof e.error.message === 'string') {
    figures.codes.set(e.error.code, (figures.codes.get(e.error.code) ?? 0) + 1);
    return;
  }
  figures.crashes.push(`${where}: not an envelope: ${JSON.stringify(env)?.slice(0, 200)}`);
}

let root: string;
let services: Services;
let dispatch: Dispatch;
let server: RunningServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bs-fuzz-'));
  await mkdir(join(root, 'renderer'));
  await writeFile(join(root, 'renderer', 'index.html'), '<!doctype html><title>Bondsmith</title>');
  services = createServices({ dataDir: join(root, 'data'), mode: 'browser', version: 'test', cipher: null, userKnownHosts: [] });
  dispatch = createDispatch(services);
  server = await startBrowserServer({ port: 0, token: TOKEN, rendererDir: join(root, 'renderer'), dispatch, events: services.events });
  console.log(`fuzz seed ${SEED} (BONDSMITH_FUZZ_SEED=${SEED} replays it), ${PER_CHANNEL} payloads per channel`);
});

afterAll(async () => {
  await server?.close();
  await services?.dispose();
  const codes = [...figures.codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  console.log(`fuzz figures: ${figures.sent} messages sent, ${figures.crashes.length} crashes, peak RSS ${(figures.peakRss / 2 ** 20).toFixed(0)} MiB\n  codes: ${codes}`);
});

const CHANNELS = Object.keys(channels) as ChannelName[];

// Channels that would act on a real host once their payload names one: only ids no host has.
const hostless = (c: ChannelName): boolean => c !== 'hosts.add' && c !== 'hosts.update';

describe('fuzz', () => {
  it('dispatch answers every hostile payload on every channel with an envelope', { timeout: 30_000 }, async () => {
    for (const channel of CHANNELS) {
      for (let i = 0; i < PER_CHANNEL; i++) {
        const p = payload();
        figures.sent++;
        try {
          record(`${channel} #${i}`, await dispatch(channel, p));
        } catch (err) {
          figures.crashes.push(`${channel} #${i}: threw ${String(err)}`);
        }
      }
    }
    for (let i = 0; i < 200; i++) {
      figures.sent++;
      record(`unknown channel #${i}`, await dispatch(pick([...STRINGS, null, 42, {}, ['hosts.list']]), payload()));
    }
    // Hosts may be added only with the documentation address space and no real network: none is connected.
    expect(CHANNELS.filter((c) => !hostless(c))).toEqual(['hosts.add', 'hosts.update']);
    expect(figures.crashes).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the WebSocket answers malformed JSON, huge frames, deep nesting and unknown channels, and survives clients that never read', { timeout: 30_000 }, async () => {
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { origin: `http://127.0.0.1:${server.port}`, cookie: `bondsmith_token_${server.port}=${TOKEN}` } });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    let ws = await open();
    const pending = new Map<number | null, (v: unknown) => void>();
    const listen = (s: WebSocket): void => {
      s.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { id?: number | null; event?: string };
        if (m.event !== undefined) return;
        const id = m.id ?? null;
        const resolve = pending.get(id);
        pending.delete(id);
        resolve?.(m);
      });
    };
    listen(ws);
    // A message the server never answers is a crash too (the UI would wait on it for ever).
    const ask = (text: string | Buffer, id: number | null): Promise<unknown> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ unanswered: text.slice(0, 120).toString() });
        }, 5000);
        pending.set(id, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
        ws.send(text);
      });
    let nextId = 1;
    for (let i = 0; i < 400; i++) {
      const r = rand();
      figures.sent++;
      if (r < 0.15) {
        // Malformed JSON: answered with id null.
        const text = pick(['{', '{"id":', 'null', '[]', '"x"', '{"id":1,"channel":"hosts.list"', '\u0000\u0001', '{"id":-1,"channel":"hosts.list","payload":{}}', '{"id":1.5,"channel":1}']);
        // The server echoes a numeric id even when the rest of the message is refused.
        let echoed: number | null = null;
        try {
          const raw = JSON.parse(text) as { id?: unknown } | null;
          if (raw && typeof raw.id === 'number') echoed = raw.id;
        } catch {
          echoed = null;
        }
        record(`ws malformed ${JSON.stringify(text)}`, await ask(text, echoed));
      } else if (r < 0.2) {
        const id = nextId++;
        const text = `{"id":${id},"channel":"hosts.list","payload":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
        record('ws deep nesting', await ask(text, id));
      } else {
        const id = nextId++;
        const channel = rand() < 0.9 ? pick(CHANNELS) : pick(STRINGS);
        const p = payload();
        let text: string;
        try {
          text = JSON.stringify({ id, channel, payload: p, __proto__: { polluted: true } });
        } catch {
          text = `{"id":${id},"channel":${JSON.stringify(channel)},"payload":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`; // deeper than this client's own stringify goes
        }
        record(`ws ${channel}`, await ask(text, id));
      }
    }
    // A frame over the limit closes that socket (1009, message too big); the server stays up.
    figures.sent++;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(1024 * 1024 + 10));
    expect(await closed).toBe(1009);
    ws = await open();
    listen(ws);
    record('ws after huge frame', await ask(JSON.stringify({ id: 1, channel: 'hosts.list', payload: {} }), 1));

    // A client that sends and never reads its replies: the server neither grows without bound nor stalls others.
    const lazy = await open();
    (lazy as unknown as { _socket: { pause(): void } })._socket.pause();
    const before = process.memoryUsage().rss;
    const request = JSON.stringify({ id: 7, channel: 'hosts.list', payload: {} });
    for (let i = 0; i < 5000; i++) lazy.send(request);
    figures.sent += 5000;
    record('ws beside a client that never reads', await ask(JSON.stringify({ id: 2, channel: 'app.info', payload: {} }), 2));
    figures.peakRss = Math.max(figures.peakRss, process.memoryUsage().rss);
    console.log(`a client that never reads 5000 replies: RSS ${(before / 2 ** 20).toFixed(0)} -> ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    lazy.terminate();
    ws.close();
    expect(figures.crashes).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the discovery parser answers hostile remote output (truncated, huge, binary, unexpected fields) with facts or a clear error', { timeout: 30_000 }, () => {
    const dir = join(import.meta.dirname, 'discovery', 'fixtures');
    const fixtures = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f), 'utf8'));
    const opts = { collectedAt: '2025-06-01T12:00:00.000Z' };
    const mutate = (text: string): string => {
      switch (int(7)) {
        case 0: return text.slice(0, int(text.length)); // truncated
        case 1: { const at = int(text.length); return text.slice(0, at) + String.fromCharCode(...Array.from({ length: 64 }, () => int(256))) + text.slice(at); } // binary
        case 2: return text.replace(/"[a-z_]+":/g, (m) => (rand() < 0.1 ? `"${pick(STRINGS).slice(0, 20)}":` : m)); // unexpected fields
        case 3: return text.replace(/: ?("[^"]*"|\d+|true|false)/g, (m) => (rand() < 0.1 ? `: ${JSON.stringify(value(3)) ?? 'null'}` : m)); // wrong types
        case 4: return text + '\n' + 'x'.repeat(2 * 1024 * 1024); // huge
        case 5: return text.split('\n').filter(() => rand() < 0.9).join('\n'); // lines lost
        default: return text.replace(/\n/g, () => (rand() < 0.05 ? '\n' + pick(STRINGS).slice(0, 100) + '\n' : '\n'));
      }
    };
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const text = mutate(pick(fixtures));
      figures.sent++;
      try {
        record(`discovery #${i}`, parseDiscovery(text, opts));
      } catch (err) {
        figures.crashes.push(`discovery #${i}: threw ${String(err)}`);
      }
    }
    console.log(`discovery: 300 hostile answers parsed in ${Date.now() - started} ms`);
    expect(figures.crashes).toEqual([]);
  });
});
