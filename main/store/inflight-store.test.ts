import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBondChange } from '../drivers/plan-change';
import type { Plan } from '../plan/plan-types';
import { linuxFacts, spec, truenasFacts } from '../../e2e/kit/host-facts';
import { InflightStore, type InflightRecord } from './inflight-store';

// The saved plan of a change waiting on a box is what Keep runs there after a restart, as root: it
// comes back from the data directory only when it is exactly the shape Bondsmith wrote.

function realPlan(runId = 'create-abc123'): Plan {
  const r = planBondChange({ hostId: 'h1', facts: linuxFacts(), action: 'create', spec: spec(), options: { runId } });
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.plan;
}

function record(plan: Plan = realPlan()): InflightRecord {
  return { hostId: 'h1', applyId: 'a1', plan, deadline: '2030-01-01T00:00:00.000Z' };
}

async function storeWith(runId: string, content: unknown): Promise<{ store: InflightStore; dir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-inflight-'));
  const store = new InflightStore(dataDir);
  await store.save(record());
  await writeFile(join(dataDir, 'inflight', `${runId}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  return { store, dir: join(dataDir, 'inflight') };
}

describe('InflightStore', () => {
  it('gives back a plan it saved, unchanged', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bs-inflight-'));
    const store = new InflightStore(dataDir);
    const saved = record();
    await store.save(saved);
    expect(await store.get('create-abc123')).toEqual({ kind: 'found', record: saved });
    expect(await store.get('create-other')).toEqual({ kind: 'missing' });
  });

  it('gives back TrueNAS plans too, management move included', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bs-inflight-'));
    const store = new InflightStore(dataDir);
    const move = spec({ protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, members: ['eno1', 'eno2'], aliases: [{ address: '192.0.2.10', prefix: 24 }] });
    const r = planBondChange({ hostId: 'h1', facts: truenasFacts('25.10.2.2'), action: 'create', spec: move, options: { runId: 'create-tn1' } });
    if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
    const saved = { ...record(r.plan), deadline: null };
    await store.save(saved);
    expect(await store.get('create-tn1')).toEqual({ kind: 'found', record: saved });
  });

  const plan = realPlan();
  const confirm = plan.steps.find((s) => s.phase === 'confirm');
  if (!confirm) throw new Error('the plan has no confirm step');
  const withStep = (over: Record<string, unknown>) => ({ ...record(), plan: { ...plan, steps: plan.steps.map((s) => (s === confirm ? { ...s, ...over } : s)) } });

  it.each([
    ['a step of an unknown kind', withStep({ kind: 'shell' })],
    ['a step of an unknown phase', withStep({ phase: 'later' })],
    ['a command that is not text', withStep({ command: ['rm', '-rf', '/'] })],
    ['an oversized command', withStep({ command: `true; ${'x'.repeat(1_100_000)}` })],
    ['a step with an extra field', withStep({ sudo: true })],
    ['a check of an unknown kind', withStep({ check: { kind: 'eval', code: 'x' } })],
    ['a pattern that is not a regular expression', withStep({ check: { kind: 'stdout-matches', pattern: '(' } })],
    ['a run id of the wrong form', { ...record(), plan: { ...plan, runId: '../../etc/cron.d/x' } }],
    ['a plan for another run id', { ...record(), plan: { ...plan, runId: 'create-zzz999' } }],
    ['no steps at all', { ...record(), plan: { ...plan, steps: 'confirm' } }],
    ['a record without its host', { ...record(), hostId: undefined }],
    ['text that is not JSON', '{"hostId":"h1",'],
  ])('refuses %s, keeps the file aside and says why', async (_what, content) => {
    const { store, dir } = await storeWith('create-abc123', content);
    const got = await store.get('create-abc123');
    expect(got).toMatchObject({ kind: 'refused', reason: expect.any(String) as unknown, keptAs: expect.stringMatching(/create-abc123\.json\.corrupt-/) as unknown });
    const kept = (await readdir(dir)).filter((f) => f.startsWith('create-abc123.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(await readFile(join(dir, kept[0] ?? ''), 'utf8')).toBe(typeof content === 'string' ? content : JSON.stringify(content));
    expect(await store.get('create-abc123')).toEqual({ kind: 'missing' });
  });
});
