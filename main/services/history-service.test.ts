import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../preload/contract';
import { linuxFacts, spec, withBond } from '../../e2e/kit/host-facts';
import { planBondChange } from '../drivers/plan-change';
import { AuditLog } from '../store/audit-log';
import type { BondService } from './bond-service';
import { HistoryService } from './history-service';

// The history service over a real audit log in a temporary directory (restore itself needs a host:
// history-restore.itest.ts).

function entry(i: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  const before = linuxFacts();
  const planned = planBondChange({ hostId: `host${i % 2}`, facts: before, action: 'create', spec: spec({ name: 'bond1' }), options: { runId: `create-${i}` } });
  if (!planned.ok) throw new Error('plan');
  return {
    time: new Date(Date.parse('2026-12-01T00:00:00Z') + i * 60_000).toISOString(),
    hostId: `host${i % 2}`,
    hostLabel: `nas${(i % 2) + 1}`,
    address: '',
    localUser: 'alice',
    remoteUser: 'root',
    action: 'create',
    bondName: i % 3 === 0 ? 'bond1' : 'bond2',
    result: 'confirmed',
    message: 'Kept.',
    plan: planned.plan,
    stateBefore: before,
    stateAfter: withBond(before),
    steps: [],
    ...extra,
  };
}

async function world(n: number): Promise<{ history: HistoryService; log: AuditLog; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bs-history-'));
  const log = new AuditLog(dir);
  for (let i = 0; i < n; i++) await log.append(entry(i));
  return { history: new HistoryService(log, {} as BondService), log, dir };
}

describe('HistoryService', () => {
  it('lists a page newest first with the hosts and bonds of the whole log for the filters', async () => {
    const { history } = await world(6);
    const page = await history.list({ hostId: 'host1', limit: 2 });
    expect(page.total).toBe(3);
    expect(page.items.map((s) => s.kind === 'entry' && s.time)).toEqual(['2026-12-01T00:05:00.000Z', '2026-12-01T00:03:00.000Z']);
    expect(page.hosts).toEqual([{ hostId: 'host0', hostLabel: 'nas1' }, { hostId: 'host1', hostLabel: 'nas2' }]);
    expect(page.bonds).toEqual(['bond1', 'bond2']);
  });

  it('opens an entry with its diff, and says so when the id is not in the log', async () => {
    const { history } = await world(1);
    const [first] = (await history.list({})).items;
    expect((await history.entry(first?.id ?? '')).diff.summary).toBe('bond1 created.');
    await expect(history.entry('0000000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('exports the filtered list with its damaged lines; an entry without a plan has no script', async () => {
    const { history, log, dir } = await world(4);
    await appendFile(join(dir, 'audit.jsonl'), '{"torn\n');
    await log.append(entry(9, { plan: null, bondName: 'bond7' }));
    const jsonl = await history.export({ entryId: null, filter: { bondName: 'bond2' }, format: 'jsonl' });
    expect(jsonl).toMatchObject({ count: 2, matched: 2 });
    expect(jsonl.text.trimEnd().split('\n').map((l) => Object.keys(JSON.parse(l) as object)[0])).toEqual(['id', 'id', 'damaged']);
    const report = await history.export({ entryId: null, filter: {}, format: 'report' });
    expect(report.text).toContain('Damaged lines (kept in the log, not readable as entries): 1');
    const noPlan = (await history.list({ bondName: 'bond7' })).items.find((s) => s.kind === 'entry');
    await expect(history.planScript(noPlan?.id ?? '')).rejects.toMatchObject({ code: 'NO_PLAN' });
  });
});
