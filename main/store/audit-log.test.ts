import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../preload/contract';
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
});
