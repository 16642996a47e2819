import { chromium, type CDPSession, type Page } from '@playwright/test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { createServices } from '../../main/services/services';
import { CHROMIUM_ARGS, chromiumPath } from '../fixtures/chromium';
import { startBrowserMode, type BrowserModeServer } from '../kit/browser-mode';
import { BenchError, machineLine, percentile } from './bench-kit';
import { startFleet, type Fleet, type FleetServer } from './fleet-servers';
import { writeSummary, type SummaryRow } from './summary';

// P4: the renderer with a fleet. Browser mode (the same services and renderer as the desktop app)
// serves N hosts that are real OpenSSH servers on loopback (fleet-servers.ts), and Debian's
// Chromium opens it. Figures: the bundle's size; time to first paint and to an interactive host list
// (every host drawn, one clicked and its view shown); the renderer's main-thread time while all N
// hosts connect and their discoveries arrive; the fleet overview (the home screen) drawn with a row
// per host; and the cost of one host changing state once the rest is quiet, with the overview open
// and again with one host's view open instead (the difference is the overview's own). Main-thread time is Chromium's own account (CDP Performance.getMetrics: TaskDuration,
// ScriptDuration, LayoutDuration, RecalcStyleDuration), so it holds whatever the app renders.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Options {
  readonly sizes: readonly number[];
  readonly rounds: number;
  readonly changes: number;
  readonly summary: string | null;
}

function options(): Options {
  const args = process.argv.slice(2);
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = (value('--sizes') ?? '10,50').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) throw new BenchError('USAGE', '--sizes takes host counts from 1 to 200, e.g. 10,50');
  const rounds = Number(value('--rounds') ?? '5');
  const changes = Number(value('--changes') ?? '10');
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new BenchError('USAGE', '--rounds takes 1 to 50');
  if (!Number.isInteger(changes) || changes < 2 || changes > 100) throw new BenchError('USAGE', '--changes takes 2 to 100');
  return { sizes: [...sizes].sort((a, b) => a - b), rounds, changes, summary: value('--summary') ?? null };
}

/** Raw and gzip bytes of what the renderer loads (dist/renderer). */
function bundleSize(): { files: number; js: number; css: number; html: number; gzip: number } {
  const dir = join(repoRoot, 'dist', 'renderer');
  if (!existsSync(join(dir, 'index.html'))) throw new BenchError('BUILD', 'dist/renderer is missing: run `npm run build` first');
  const all: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else all.push(p);
    }
  };
  walk(dir);
  const size = { files: all.length, js: 0, css: 0, html: 0, gzip: 0 };
  for (const p of all) {
    const bytes = statSync(p).size;
    if (p.endsWith('.js')) size.js += bytes;
    else if (p.endsWith('.css')) size.css += bytes;
    else if (p.endsWith('.html')) size.html += bytes;
    if (/\.(js|css|html)$/.test(p)) size.gzip += gzipSync(readFileSync(p)).length;
  }
  return size;
}

/** A data dir holding N hosts (added through the app's own services) and their host keys. */
async function fleetDataDir(work: string, servers: readonly FleetServer[], knownHostsFile: string): Promise<string> {
  const dataDir = join(work, `data-${servers.length}`);
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(knownHostsFile, join(dataDir, 'known_hosts'));
  const services = createServices({ dataDir, mode: 'browser', version: 'bench', cipher: null, userKnownHosts: [] });
  try {
    for (const s of servers) {
      await services.hosts.add({ label: s.name, address: '127.0.0.1', port: s.port, user: 'root', auth: { kind: 'key', keyPath: s.keyPath }, jumpHostId: null, tags: [], useSudo: false });
    }
  } finally {
    await services.dispose();
  }
  return dataDir;
}

/** A second client of browser mode's WebSocket, as another window would be: it drives the fleet while the page only watches. */
class Driver {
  private nextId = 1;
  private readonly waiting = new Map<number, (msg: { ok: boolean; value?: unknown; error?: { code: string; message: string } }) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { id?: number; ok: boolean; value?: unknown; error?: { code: string; message: string } };
      if (typeof msg.id === 'number') this.waiting.get(msg.id)?.(msg);
    });
  }

  static open(server: BrowserModeServer): Promise<Driver> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Driver(socket)));
      socket.once('error', reject);
    });
  }

  call<T>(channel: string, payload: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (msg) => {
        this.waiting.delete(id);
        if (msg.ok) resolve(msg.value as T);
        else reject(new BenchError('CALL', `${channel}: ${msg.error?.code ?? '?'} ${msg.error?.message ?? ''}`));
      });
      this.socket.send(JSON.stringify({ id, channel, payload }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

interface MainThread {
  task: number;
  script: number;
  layout: number;
  style: number;
}

async function mainThread(cdp: CDPSession): Promise<MainThread> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const get = (name: string): number => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
  return { task: get('TaskDuration'), script: get('ScriptDuration'), layout: get('LayoutDuration'), style: get('RecalcStyleDuration') };
}

function since(a: MainThread, b: MainThread): MainThread {
  return { task: b.task - a.task, script: b.script - a.script, layout: b.layout - a.layout, style: b.style - a.style };
}

/** Two animation frames: whatever the last message caused has been rendered and painted. */
function settled(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

const hostItems = 'nav[aria-label="Hosts"] li';
const overviewRows = 'section[aria-label="Fleet overview"] tr.fleet-row';

interface SizeResult {
  readonly hosts: number;
  readonly firstPaintMs: number[];
  readonly listMs: number[];
  readonly clickMs: number[];
  readonly connectStorm: MainThread & { wallMs: number };
  readonly overviewMs: number;
  readonly oneChange: MainThread[];
  readonly oneDiscovery: MainThread[];
  readonly oneChangeHostOpen: MainThread[];
  readonly heapMb: number;
}

async function benchSize(fleet: Fleet, n: number, work: string, opts: Options): Promise<SizeResult> {
  const servers = fleet.servers.slice(0, n);
  const dataDir = await fleetDataDir(work, servers, fleet.knownHostsFile);
  const server = await startBrowserMode(dataDir);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  let driver: Driver | null = null;
  try {
    const firstPaintMs: number[] = [];
    const listMs: number[] = [];
    const clickMs: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      // A new context each round: nothing cached, as at the app's start.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(server.url);
      await page.waitForFunction((args) => document.querySelectorAll(args.sel).length >= args.n, { sel: hostItems, n }, { polling: 'raf', timeout: 60_000 });
      listMs.push(await page.evaluate(() => performance.now()));
      await settled(page); // the paint entry is recorded after the frame that drew it
      firstPaintMs.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
      const last = servers.at(-1)?.name ?? '';
      const t0 = await page.evaluate(() => performance.now());
      await page.locator(hostItems).last().getByRole('button').click();
      await page.getByRole('heading', { name: last, level: 2 }).waitFor({ timeout: 30_000 });
      clickMs.push((await page.evaluate(() => performance.now())) - t0);
      await context.close();
    }

    // One page stays open and watches while another client connects the whole fleet.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(server.url);
    await page.waitForFunction((args) => document.querySelectorAll(args.sel).length >= args.n, { sel: hostItems, n }, { polling: 'raf', timeout: 60_000 });
    // The fleet overview is the home screen once hosts exist: this page watches it, one row per host.
    await page.waitForFunction((args) => document.querySelectorAll(args.sel).length >= args.n, { sel: overviewRows, n }, { polling: 'raf', timeout: 60_000 });
    const overviewMs = await page.evaluate(() => performance.now());
    await settled(page);
    driver = await Driver.open(server);
    const d = driver;
    const { hosts } = await d.call<{ hosts: Array<{ id: string; label: string }> }>('hosts.list', {});
    // Waits in the page on DOM mutations (not by polling, whose own script time would be counted).
    // A string, not a function: tsx's transform would add a helper the page does not have.
    const readyBadges = (count: number): Promise<unknown> =>
      page.evaluate(`new Promise((resolve) => {
        const sel = ${JSON.stringify(`${hostItems} .badge-ready`)};
        if (document.querySelectorAll(sel).length === ${count}) return resolve();
        const observer = new MutationObserver(() => {
          if (document.querySelectorAll(sel).length !== ${count}) return;
          observer.disconnect();
          resolve();
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      })`);

    const before = await mainThread(cdp);
    const t0 = performance.now();
    await Promise.all(hosts.map((h) => d.call('sessions.connect', { hostId: h.id })));
    await readyBadges(n);
    await Promise.all(hosts.map((h) => d.call('discovery.refresh', { hostId: h.id })));
    await settled(page);
    const connectStorm = { ...since(before, await mainThread(cdp)), wallMs: performance.now() - t0 };

    // One host changes while the rest stay as they are: disconnect, then connect again.
    const target = hosts[Math.floor(n / 2)];
    if (!target) throw new BenchError('FLEET', 'no hosts listed');
    const stateChanges = async (): Promise<MainThread[]> => {
      const out: MainThread[] = [];
      for (let i = 0; i < opts.changes; i++) {
        const connected = i % 2 === 1;
        await settled(page);
        const m0 = await mainThread(cdp);
        await d.call(connected ? 'sessions.connect' : 'sessions.disconnect', { hostId: target.id });
        await readyBadges(connected ? n : n - 1);
        await settled(page);
        out.push(since(m0, await mainThread(cdp)));
      }
      return out;
    };
    const oneChange = await stateChanges();
    // One host's discovery result arriving (what every refresh of a watched host sends).
    const oneDiscovery: MainThread[] = [];
    for (let i = 0; i < opts.changes; i++) {
      await settled(page);
      const m0 = await mainThread(cdp);
      await d.call('discovery.refresh', { hostId: target.id });
      await settled(page);
      oneDiscovery.push(since(m0, await mainThread(cdp)));
    }
    // The same change with one host's view open instead of the overview: the difference is the
    // overview's own cost (the sidebar re-renders in both).
    const first = hosts[0];
    if (!first) throw new BenchError('FLEET', 'no hosts listed');
    await page.locator(hostItems).first().getByRole('button').click();
    await page.getByRole('heading', { name: first.label, level: 2 }).waitFor({ timeout: 30_000 });
    const oneChangeHostOpen = await stateChanges();
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    await context.close();
    return { hosts: n, firstPaintMs, listMs, clickMs, connectStorm, overviewMs, oneChange, oneDiscovery, oneChangeHostOpen, heapMb: heap.usedSize / 1024 / 1024 };
  } finally {
    driver?.close();
    await browser.close();
    server.child.kill('SIGTERM');
  }
}

const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');
const med = (xs: readonly number[]): number => percentile(xs, 50);
const medOf = (xs: readonly MainThread[], k: keyof MainThread): number => med(xs.map((x) => x[k]));

async function main(): Promise<void> {
  const opts = options();
  if (process.getuid?.() !== 0) throw new BenchError('ROOT', 'run as root: the sshd servers log in as root with a key');
  const started = Date.now();
  const loadBefore = machineLine();
  console.log(`renderer-fleet benchmark (P4), ${new Date().toISOString()}: sizes ${opts.sizes.join(', ')}; ${opts.rounds} page load(s), ${opts.changes} one-host changes per size`);
  console.log(`before: ${loadBefore}`);
  const bundle = bundleSize();
  const work = mkdtempSync(join(tmpdir(), 'bs-p4-'));
  let fleet: Fleet | null = null;
  const results: SizeResult[] = [];
  try {
    fleet = await startFleet(opts.sizes.at(-1) ?? 1, work);
    for (const n of opts.sizes) {
      console.log(`- ${n} hosts`);
      results.push(await benchSize(fleet, n, work, opts));
    }
  } finally {
    await fleet?.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const kb = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  console.log('');
  console.log(`bundle (dist/renderer, ${bundle.files} files): JS ${kb(bundle.js)}, CSS ${kb(bundle.css)}, HTML ${kb(bundle.html)}; gzip ${kb(bundle.gzip)} in all`);
  console.log('median (p90) per size; page times from navigation start in the page (performance.now), main-thread times from Chromium (CDP Performance.getMetrics)');
  const header = ['row', ...results.map((r) => `N=${r.hosts}`)];
  const rows: string[][] = [
    ['first contentful paint', ...results.map((r) => `${ms(med(r.firstPaintMs))} (${ms(percentile(r.firstPaintMs, 90))})`)],
    ['host list drawn (all N)', ...results.map((r) => `${ms(med(r.listMs))} (${ms(percentile(r.listMs, 90))})`)],
    ['click last host -> its view', ...results.map((r) => `${ms(med(r.clickMs))} (${ms(percentile(r.clickMs, 90))})`)],
    ['N connect + discover: wall', ...results.map((r) => ms(r.connectStorm.wallMs))],
    ['  renderer main thread busy', ...results.map((r) => `${ms(r.connectStorm.task)} (script ${ms(r.connectStorm.script)}, layout ${ms(r.connectStorm.layout)}, style ${ms(r.connectStorm.style)})`)],
    ['fleet overview drawn (all N rows)', ...results.map((r) => ms(r.overviewMs))],
    ['one host changes state, overview open', ...results.map((r) => `${ms(medOf(r.oneChange, 'task'))} (script ${ms(medOf(r.oneChange, 'script'))}, layout ${ms(medOf(r.oneChange, 'layout'))}, style ${ms(medOf(r.oneChange, 'style'))})`)],
    ['one discovery result, overview open', ...results.map((r) => `${ms(medOf(r.oneDiscovery, 'task'))} (script ${ms(medOf(r.oneDiscovery, 'script'))}, layout ${ms(medOf(r.oneDiscovery, 'layout'))})`)],
    ['one host changes state, a host open', ...results.map((r) => `${ms(medOf(r.oneChangeHostOpen, 'task'))} (script ${ms(medOf(r.oneChangeHostOpen, 'script'))}, layout ${ms(medOf(r.oneChangeHostOpen, 'layout'))})`)],
    ['JS heap after', ...results.map((r) => `${r.heapMb.toFixed(1)} MB`)],
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  const largest = results.at(-1);
  const smallest = results[0];
  if (largest && smallest && largest !== smallest) {
    console.log(`scaling ${smallest.hosts} -> ${largest.hosts} hosts: list drawn ${(med(largest.listMs) / med(smallest.listMs)).toFixed(2)}x, one change ${(medOf(largest.oneChange, 'task') / medOf(smallest.oneChange, 'task')).toFixed(2)}x`);
  }
  console.log(`before: ${loadBefore}`);
  console.log(`after:  ${machineLine()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);

  if (opts.summary && largest) {
    const at = `${largest.hosts} hosts`;
    const summary: SummaryRow[] = [
      { phase: 'P4', row: `renderer bundle, gzip`, value: bundle.gzip / 1024, unit: 'KiB', includes: 'every JS, CSS and HTML file of dist/renderer, gzip -6' },
      { phase: 'P4', row: `first contentful paint, ${at}`, value: med(largest.firstPaintMs), unit: 'ms', includes: 'navigation start to first paint in Chromium, a fresh context' },
      { phase: 'P4', row: `host list interactive, ${at}`, value: med(largest.listMs) + med(largest.clickMs), unit: 'ms', includes: 'every host drawn, then the last one clicked and its view shown' },
      { phase: 'P4', row: `fleet overview drawn, ${at}`, value: largest.overviewMs, unit: 'ms', includes: 'navigation start to every host row of the overview (the home screen) drawn' },
      { phase: 'P4', row: `one host changes state, overview, ${at}`, value: medOf(largest.oneChange, 'task'), unit: 'ms', includes: 'renderer main-thread time for one session.state event with the overview open and the rest quiet' },
      { phase: 'P4', row: `one discovery result, overview, ${at}`, value: medOf(largest.oneDiscovery, 'task'), unit: 'ms', includes: 'renderer main-thread time for one host\'s discovery result with the overview open' },
    ];
    writeSummary(opts.summary, summary);
  }
}

main().catch((err: unknown) => {
  const code = err instanceof BenchError ? err.code : 'BENCH';
  console.error(`renderer-fleet failed [${code}]: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
