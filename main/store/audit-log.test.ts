import { appendFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFactsSchema, type AuditEntry } from '../../preload/contract';
import { parseDiscovery } from '../discovery/parse-discovery';
import { AuditLog } from './audit-log';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  time: '2026-11-23T20:00:00.000Z',
  hostId: 'h1',
  hostLabel: 'nas1',
  address: '127.0.0.1:2201',
  localUser: 'alice',
  remoteUser: 'root',
  action: 'create',
  bondName: 'bond0',
  result: 'confirmed',
  message: 'ok',
  plan: { steps: 3 },
  stateBefore: null,
  stateAfter: { bonds: ['bond0'] },
  steps: [],
  ...over,
});

describe('AuditLog', () => {
  it('appends one JSON line per entry and reads them back newest first, per host', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'first' }));
    await log.append(entry({ hostId: 'h2', message: 'other host' }));
    await log.append(entry({ message: 'second', result: 'rolled-back' }));
    const lines = (await readFile(log.path, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    const { entries, unreadable } = await log.read('h1');
    expect(entries.map((e) => e.message)).toEqual(['second', 'first']);
    expect(unreadable).toBe(0);
  });

  it('skips and counts a corrupt line without losing the others', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'kept' }));
    await appendFile(log.path, '{"time": broken\n');
    await log.append(entry({ message: 'also kept' }));
    const { entries, unreadable } = await log.read(null);
    expect(entries.map((e) => e.message)).toEqual(['also kept', 'kept']);
    expect(unreadable).toBe(1);
  });

  it('keeps the fleet run an entry belongs to, and refuses a run id of another form', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'fleet', runId: 'run-abc123' }));
    await log.append(entry({ message: 'single' }));
    const { entries } = await log.read('h1');
    expect(entries.map((e) => [e.message, e.runId])).toEqual([
      ['single', undefined],
      ['fleet', 'run-abc123'],
    ]);
    await expect(log.append(entry({ runId: '../etc' }))).rejects.toThrow();
  });

  it('lists a damaged line where it is, with its file and line number, and keeps it in the file', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'one' }));
    await appendFile(log.path, '{"time": broken\n');
    await appendFile(log.path, '{"time":"x"}\n');
    await log.append(entry({ message: 'two' }));
    const page = await log.list();
    expect(page.items.map((s) => (s.kind === 'entry' ? s.message : `${s.kind}@${s.line}`))).toEqual(['two', 'damaged@3', 'damaged@2', 'one']);
    expect(page.damaged).toBe(2);
    const [, schemaBad, jsonBad] = page.items;
    expect(jsonBad).toMatchObject({ kind: 'damaged', file: 'audit.jsonl', preview: '{"time": broken' });
    expect(jsonBad?.kind === 'damaged' ? jsonBad.reason : '').toMatch(/not valid JSON/);
    expect(schemaBad?.kind === 'damaged' ? schemaBad.reason : '').toMatch(/not an audit entry/);
    // A filter never hides them: they may have been anything.
    expect((await log.list({ hostId: 'nobody' })).items.map((s) => s.kind)).toEqual(['damaged', 'damaged']);
    expect((await readFile(log.path, 'utf8')).split('\n')).toContain('{"time": broken');
  });

  it('a torn last line (a write cut short) stays a damaged line of its own, and the next entry is whole', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'before' }));
    const torn = JSON.stringify(entry({ message: 'cut' })).slice(0, 120);
    await appendFile(log.path, torn);
    expect((await log.list()).items.map((s) => s.kind)).toEqual(['damaged', 'entry']);
    await log.append(entry({ message: 'after' }));
    const page = await log.list();
    expect(page.items.map((s) => (s.kind === 'entry' ? s.message : s.preview.slice(0, 20)))).toEqual(['after', torn.slice(0, 20), 'before']);
    expect((await readFile(log.path, 'utf8')).split('\n')).toEqual([expect.any(String), torn, expect.any(String), '']);
  });

  it('opens one entry by the id the list gives, in full, and reads an appended entry without re-reading the file', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ message: 'a', stateBefore: { bonds: [] }, startedAt: '2026-11-23T19:59:30.000Z' }));
    const [first] = (await log.list()).items;
    expect(first).toMatchObject({ kind: 'entry', message: 'a', durationMs: 30_000, recordedBy: 'app' });
    await log.append(entry({ message: 'b' }));
    const page = await log.list();
    expect(page.items.map((s) => s.id)).toContain(first?.id);
    expect(await log.get(first?.id ?? '')).toMatchObject({ message: 'a', stateBefore: { bonds: [] } });
    expect(await log.get('0000000000000000')).toBeNull();
    // Another instance (the app started again) finds the same ids.
    expect((await new AuditLog(join(log.path, '..')).list()).items.map((s) => s.id)).toEqual(page.items.map((s) => s.id));
  });

  it('filters by host, bond, result, run and date, newest first, in pages', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')));
    await log.append(entry({ time: '2026-11-20T10:00:00.000Z', bondName: 'bond0', message: '1' }));
    await log.append(entry({ time: '2026-11-21T10:00:00.000Z', bondName: 'bond1', result: 'rolled-back', message: '2' }));
    await log.append(entry({ time: '2026-11-22T10:00:00.000Z', hostId: 'h2', bondName: 'bond0', runId: 'run-r1', message: '3' }));
    await log.append(entry({ time: '2026-11-23T10:00:00.000Z', bondName: 'bond0', result: 'kept-unconfirmed', recordedBy: 'recovered', message: '4' }));
    const msgs = async (f: Parameters<AuditLog['list']>[0]) => (await log.list(f)).items.map((s) => (s.kind === 'entry' ? s.message : '?'));
    expect(await msgs({})).toEqual(['4', '3', '2', '1']);
    expect(await msgs({ hostId: 'h1' })).toEqual(['4', '2', '1']);
    expect(await msgs({ bondName: 'bond0' })).toEqual(['4', '3', '1']);
    expect(await msgs({ result: 'rolled-back' })).toEqual(['2']);
    expect(await msgs({ runId: 'run-r1' })).toEqual(['3']);
    expect(await msgs({ from: '2026-11-21T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z' })).toEqual(['3', '2']);
    expect(await msgs({ limit: 2, offset: 1 })).toEqual(['3', '2']);
    expect((await log.list({ limit: 1 })).total).toBe(4);
  });

  it('rotates past its size limit without losing an entry, and reads rotated files with the current one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-audit-'));
    const log = new AuditLog(dir, 4096);
    for (let i = 0; i < 40; i++) await log.append(entry({ message: `m${i}`, plan: { pad: 'x'.repeat(300) } }));
    const files = (await readdir(dir)).filter((n) => n.startsWith('audit'));
    expect(files.length).toBeGreaterThan(3);
    expect(files).toContain('audit.jsonl');
    for (const f of files) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(4096);
    const expected = Array.from({ length: 40 }, (_, i) => `m${39 - i}`);
    expect((await log.list({ limit: 1000 })).items.map((s) => (s.kind === 'entry' ? s.message : '?'))).toEqual(expected);
    // A fresh reader (the app started again) sees the same, in the same order.
    expect((await new AuditLog(dir, 4096).list({ limit: 1000 })).items.map((s) => (s.kind === 'entry' ? s.message : '?'))).toEqual(expected);
    const oldest = (await log.list({ limit: 1000 })).items.at(-1);
    expect(await log.get(oldest?.id ?? '')).toMatchObject({ message: 'm0' });
  });

  it('appends from many callers at once stay whole lines', async () => {
    const log = new AuditLog(await mkdtemp(join(tmpdir(), 'bs-audit-')), 64 * 1024);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry({ message: `c${i}`, plan: { pad: 'y'.repeat(2000) } }))));
    const page = await log.list({ limit: 1000 });
    expect(page.damaged).toBe(0);
    expect(page.items.map((s) => (s.kind === 'entry' ? s.message : '?')).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`).sort());
  });

  it('stays fast with 10,000 entries of real size (figures printed)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bs-audit-'));
    const fixture = readFileSync(fileURLToPath(new URL('../discovery/fixtures/linux-lacp-mgmt-on-bond.txt', import.meta.url)), 'utf8');
    const parsed = parseDiscovery(fixture, { collectedAt: '2026-11-23T20:00:00.000Z' });
    if (!parsed.ok) throw new Error('fixture does not parse');
    const facts = hostFactsSchema.parse(parsed.value);
    const plan = { steps: Array.from({ length: 14 }, (_, i) => ({ id: `s${i}`, title: `Step ${i}`, command: 'ip link set dev eno1 master bond0; '.repeat(12) })) };
    // Written straight to the files (the app's append is one fsync per entry: that is not what is measured).
    const n = 10_000;
    const perFile = 1000;
    for (let f = 0; f < n / perFile; f++) {
      const lines: string[] = [];
      for (let i = 0; i < perFile; i++) {
        const k = f * perFile + i;
        const time = new Date(Date.UTC(2026, 0, 1) + k * 60_000).toISOString();
        lines.push(JSON.stringify(entry({ time, hostId: `h${k % 20}`, bondName: `bond${k % 4}`, result: k % 7 === 0 ? 'rolled-back' : 'confirmed', message: `change ${k}`, plan, stateBefore: facts, stateAfter: facts })));
      }
      const name = f === n / perFile - 1 ? 'audit.jsonl' : `audit-20260101T0000${String(f).padStart(2, '0')}000Z.jsonl`;
      await writeFile(join(dir, name), `${lines.join('\n')}\n`);
    }
    const bytes = (await readdir(dir)).reduce((sum, name) => sum + readFileSync(join(dir, name)).length, 0);
    const log = new AuditLog(dir);
    let t = performance.now();
    const cold = await log.list({ limit: 200 });
    const coldMs = performance.now() - t;
    t = performance.now();
    const filtered = await log.list({ hostId: 'h3', result: 'rolled-back', limit: 200 });
    const warmMs = performance.now() - t;
    t = performance.now();
    await log.append(entry({ message: 'one more', plan, stateBefore: facts, stateAfter: facts }));
    const afterAppend = await log.list({ limit: 200 });
    const appendMs = performance.now() - t;
    t = performance.now();
    const opened = await log.get(cold.items[5000 % cold.items.length]?.id ?? '');
    const getMs = performance.now() - t;
    console.log(
      `audit log with ${n} entries (${(bytes / 1024 / 1024).toFixed(1)} MiB in ${n / perFile} files): first list ${coldMs.toFixed(0)} ms, ` +
        `filtered list ${warmMs.toFixed(1)} ms (${filtered.total} matches), append + list ${appendMs.toFixed(1)} ms, open one entry ${getMs.toFixed(1)} ms`,
    );
    expect(cold.total).toBe(n);
    expect(filtered.total).toBe(Array.from({ length: n }, (_, k) => k).filter((k) => k % 20 === 3 && k % 7 === 0).length);
    expect(afterAppend.total).toBe(n + 1);
    expect(opened?.stateBefore).toEqual(facts);
    // Budgets with room for a loaded two-core machine; the figures above are the measurement.
    expect(coldMs).toBeLessThan(15_000);
    expect(warmMs).toBeLessThan(200);
    expect(appendMs).toBeLessThan(500);
  }, 120_000);
});
