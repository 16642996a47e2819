import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab, labDown, labUp, type LabStatus } from '../../e2e/lab/lab';
import { applyAndKeep, bondExists, bondSpec, connectHost, describe as describeApply, eventually, makeKit, onBox, waitForApply, type Kit } from '../../e2e/kit/apply-kit';
import type { AuditSummary, BondSpec, RestoreSide } from '../../preload/contract';

// Restore from history on both flavors (nas1 plain Linux, nas2 TrueNAS), through the services as
// the UI drives them: a bond changed twice is put back as it was after the first change, a deleted
// bond is recreated from the entry of its deletion, and a restore nobody confirms rolls back on the
// box like any change. "As it was" is what discovery reads back from the box, compared with what it
// read after the first change.

const LAB = 'it-history-restore';
let lab: LabStatus;
let kit: Kit;
const ids: Record<string, string> = {};
/** Each host's entry of the first create of bond3 (before it, bond3 did not exist). */
const created: Record<string, string> = {};

type Entry = Extract<AuditSummary, { kind: 'entry' }>;

async function entryOf(hostId: string, match: (e: Entry) => boolean): Promise<Entry> {
  const page = await eventually(
    'history entry',
    () => kit.services.history.list({ hostId }),
    (p) => p.items.some((s) => s.kind === 'entry' && match(s)),
    60_000,
    300,
  );
  const found = page.items.find((s): s is Entry => s.kind === 'entry' && match(s));
  if (!found) throw new Error('no entry');
  return found;
}

async function bondAsDiscovered(hostId: string, name: string): Promise<BondSpec | null> {
  const r = await kit.services.sessions.refresh(hostId);
  return r.view?.bonds.find((b) => b.name === name)?.spec ?? null;
}

async function restore(hostId: string, entryId: string, side: RestoreSide, checkinTimeoutSeconds = 60) {
  const r = await kit.services.history.planRestore({ entryId, side, checkinTimeoutSeconds });
  expect(r.refusal, r.notes.join('\n')).toBeNull();
  if (!r.plan) throw new Error('no plan');
  const started = await kit.services.bonds.apply(r.plan.planId, false);
  const waiting = await waitForApply(kit, started.applyId, (s) => s.phase === 'awaiting-confirmation' || s.phase === 'finished', 150_000);
  return { response: r, waiting };
}

describeLab('restore from history on Linux and TrueNAS', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'] });
    kit = await makeKit(LAB);
    for (const [i, h] of lab.hosts.entries()) ids[h.name] = await connectHost(kit, h, i === 0 ? 'root' : 'admin');
  });
  afterAll(async () => {
    await kit?.services.dispose();
    await labDown(LAB);
  });

  for (const host of ['nas1', 'nas2']) {
    it(`${host}: a bond changed twice is put back as it was after the first change, and kept`, async () => {
      const hostId = ids[host] ?? '';
      const first = bondSpec({ name: 'bond3', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.33', prefix: 24 }], description: 'first' });
      await applyAndKeep(kit, hostId, { action: 'create', spec: first, bondName: null, checkinTimeoutSeconds: 60 });
      created[host] = (await entryOf(hostId, (e) => e.action === 'create' && e.bondName === 'bond3')).id;
      const asFirst = await bondAsDiscovered(hostId, 'bond3');
      expect(asFirst).toMatchObject({ protocol: 'FAILOVER', members: ['eno3', 'eno4'] });
      await applyAndKeep(kit, hostId, { action: 'update', spec: { ...first, members: ['eno4', 'eno3'], mtu: 9000, description: 'second' }, bondName: 'bond3', checkinTimeoutSeconds: 60 });
      expect(await bondAsDiscovered(hostId, 'bond3')).toMatchObject({ members: ['eno4', 'eno3'], mtu: 9000 });

      const edit = await entryOf(hostId, (e) => e.action === 'update' && e.bondName === 'bond3');
      const view = await kit.services.history.entry(edit.id);
      expect(view.diff.rows.filter((r) => r.changed).map((r) => r.field).sort()).toEqual(['members', 'mtu', ...(asFirst?.description === 'first' ? ['description'] : [])].sort());
      expect(view.checks.length).toBeGreaterThan(3);
      expect(view.plan?.steps.length).toBeGreaterThan(3);

      const { response, waiting } = await restore(hostId, edit.id, 'before');
      expect(response.plan?.action).toBe('update');
      expect(response.notes.some((n) => n.startsWith('MTU: 9000 today → default as recorded'))).toBe(true);
      expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
      expect((await kit.services.bonds.keep(waiting.applyId)).result).toBe('confirmed');
      expect(await bondAsDiscovered(hostId, 'bond3')).toEqual(asFirst);
      // The kernel agrees: the MTU the edit set is gone again.
      expect(await onBox(kit, host, 'ip -o link show bond3')).toMatch(/ mtu 1500 /);
      const restored = await entryOf(hostId, (e) => e.result === 'confirmed' && e.id !== edit.id && e.action === 'update' && e.time > edit.time);
      expect((await kit.services.history.entry(restored.id)).restoreOf).toEqual({ entryId: edit.id, side: 'before' });
    });

    it(`${host}: a deleted bond is recreated from the entry of its deletion`, async () => {
      const hostId = ids[host] ?? '';
      const before = await bondAsDiscovered(hostId, 'bond3');
      await applyAndKeep(kit, hostId, { action: 'delete', spec: null, bondName: 'bond3', checkinTimeoutSeconds: 60 });
      expect(await bondExists(kit, host, 'bond3')).toBe(false);
      const deletion = await entryOf(hostId, (e) => e.action === 'delete' && e.bondName === 'bond3');
      expect((await kit.services.history.entry(deletion.id)).diff.summary).toBe('bond3 deleted.');
      const { response, waiting } = await restore(hostId, deletion.id, 'before');
      expect(response.plan?.action).toBe('create');
      expect(response.notes[0]).toBe('bond3 is not on this host today (deleted since); putting it back creates it with the recorded settings.');
      expect((await kit.services.bonds.keep(waiting.applyId)).result, describeApply(waiting)).toBe('confirmed');
      expect(await bondAsDiscovered(hostId, 'bond3')).toEqual(before);
    });

    it(`${host}: a restore nobody confirms rolls back on the box`, async () => {
      const hostId = ids[host] ?? '';
      // Before bond3 was first created it did not exist: putting that back deletes it.
      const creation = created[host] ?? '';
      const { response, waiting } = await restore(hostId, creation, 'before', 15);
      expect(response.plan?.action).toBe('delete');
      expect(waiting.phase, describeApply(waiting)).toBe('awaiting-confirmation');
      const done = await waitForApply(kit, waiting.applyId, (s) => s.phase === 'finished', 120_000);
      expect(done.result, describeApply(done)).toBe('rolled-back');
      expect(await eventually('bond3 back', () => bondExists(kit, host, 'bond3'), (x) => x, 30_000)).toBe(true);
      const entry = await entryOf(hostId, (e) => e.result === 'rolled-back' && e.bondName === 'bond3');
      expect((await kit.services.history.entry(entry.id)).restoreOf).toEqual({ entryId: creation, side: 'before' });
    });
  }
});
