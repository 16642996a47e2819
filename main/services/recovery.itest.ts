import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventPayload } from '../../preload/contract';
import { describeLab, labDown, labUp, type LabHostStatus, type LabStatus } from '../../e2e/lab/lab';
import { auditFor, bondExists, bondSpec, eventually, makeKit, onBox, waitForSession, type Kit } from '../../e2e/kit/apply-kit';
import { killChild, startApplyChild } from '../../e2e/kit/apply-child';

// The app killed inside the window (SIGKILL: nothing of it runs after that), on both flavors: the box
// rolls back on its own; the app started again on the same data directory connects and finds the
// change it never saw end. The audit log then holds that change as rolled back on the box, the
// in-flight record is gone, and the user is told once. And where the box kept the change without
// anyone confirming it (TrueNAS: middlewared restarted inside the window), that is what is recorded.

const LAB = 'it-recovery';
let lab: LabStatus;

const flavors = [
  { host: 'nas1', flavor: 'linux', user: 'root' as const, bond: 'bond0', members: ['eno1', 'eno2'], address: '192.0.2.10' },
  { host: 'nas2', flavor: 'truenas', user: 'admin' as const, bond: 'bond1', members: ['eno3', 'eno4'], address: '192.0.2.11' },
];

type Flavor = (typeof flavors)[number];

/** The box says the change is gone: no bond, nothing armed, nothing pending in the middleware. */
async function rolledBackOnBox(kit: Kit, host: string, bond: string): Promise<boolean> {
  if (await bondExists(kit, host, bond)) return false;
  const armed = await onBox(kit, host, 'ls /run/bondsmith/*/armed 2>/dev/null; midclt call interface.has_pending_changes 2>/dev/null || true');
  return !/armed|True/.test(armed);
}

/** Applies a change from an app process of its own and SIGKILLs it inside the window; the change's run id. */
async function killedInWindow(f: Flavor, dataDir: string, bond: string, members: string[], address: string, windowSeconds = 20): Promise<{ runId: string; probe: Kit }> {
  const box: LabHostStatus | undefined = lab.hosts.find((h) => h.name === f.host);
  if (!box) throw new Error(`lab has no ${f.host}`);
  const spec = bondSpec({ name: bond, protocol: 'LACP', members, xmitHashPolicy: 'LAYER2+3', lacpduRate: 'SLOW', aliases: [{ address, prefix: 24 }] });
  const { child, state } = await startApplyChild({ dataDir, host: { label: f.host, port: box.ssh.port, keyPath: box.keyPath, user: f.user }, action: 'create', spec, bondName: null, checkinTimeoutSeconds: windowSeconds });
  expect(state.phase).toBe('awaiting-confirmation');
  const probe = await makeKit(LAB, dataDir);
  const runIds = await probe.services.inflight.list();
  expect(runIds).toHaveLength(1);
  // Killed during the countdown, as a user would: once the saved plan carries the box's deadline.
  const deadlineSaved = async (): Promise<boolean> => {
    const saved = await probe.services.inflight.get(runIds[0] ?? '');
    return saved.kind === 'found' && saved.record.deadline !== null;
  };
  await eventually('saved plan with its deadline', deadlineSaved, (yes) => yes, 10_000, 100);
  await killChild(child);
  expect(await bondExists(probe, f.host, bond)).toBe(true);
  return { runId: runIds[0] ?? '', probe };
}

/** The app started again as a user would: same data directory, the host already in its list; connects and discovers. */
async function restartAndConnect(dataDir: string): Promise<{ kit: Kit; hostId: string; notices: EventPayload<'change.recovered'>[] }> {
  const kit = await makeKit(LAB, dataDir);
  const notices: EventPayload<'change.recovered'>[] = [];
  kit.services.events.subscribe((event, payload) => {
    if (event === 'change.recovered') notices.push(payload as EventPayload<'change.recovered'>);
  });
  const hostId = (await kit.services.hosts.list()).hosts[0]?.id ?? '';
  await kit.services.sessions.connect(hostId);
  await waitForSession(kit, hostId, (s) => s.state === 'ready');
  await kit.services.sessions.refresh(hostId);
  return { kit, hostId, notices };
}

describeLab('a change whose app was killed inside the window is recorded on the next connect', () => {
  beforeAll(async () => {
    lab = await labUp({ name: LAB, hosts: 2, flavors: ['linux', 'truenas'] });
  });
  afterAll(() => labDown(LAB));

  for (const f of flavors) {
    it(`${f.flavor}: killed during the countdown, rolled back by the box, recorded once after the restart`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `bs-${LAB}-${f.flavor}-`));
      const { runId, probe } = await killedInWindow(f, dataDir, f.bond, f.members, f.address);
      await eventually('rollback on the box', () => rolledBackOnBox(probe, f.host, f.bond), (done) => done, 90_000, 1000);

      const { kit, hostId, notices } = await restartAndConnect(dataDir);
      try {
        const entry = await auditFor(kit, hostId, (e) => e.bondName === f.bond);
        expect(entry).toMatchObject({ action: 'create', result: 'rolled-back', recordedBy: 'recovered' });
        expect(entry.message).toMatch(/^Rolled back on the box: Bondsmith was not running inside the confirmation window/);
        expect((entry.plan as { runId: string }).runId).toBe(runId);
        expect(entry.stateBefore).toMatchObject({ hostname: f.host });
        expect(entry.stateAfter).toMatchObject({ hostname: f.host });
        expect(await kit.services.inflight.list()).toEqual([]);
        // Told once: a second discovery finds nothing left to record.
        await kit.services.sessions.refresh(hostId);
        expect((await kit.services.audit.read(hostId)).entries.filter((e) => e.bondName === f.bond)).toHaveLength(1);
        expect(notices).toHaveLength(1);
        expect(notices[0]).toMatchObject({ hostId, bondName: f.bond, result: 'rolled-back' });
      } finally {
        await kit.services.dispose();
        await probe.services.dispose();
      }
    });
  }

  it('truenas: killed during the countdown, then middlewared restarts and the box keeps the change: recorded as kept without confirmation', async () => {
    const f = flavors[1];
    if (!f) throw new Error('no truenas flavor');
    const dataDir = await mkdtemp(join(tmpdir(), `bs-${LAB}-kept-`));
    const { probe } = await killedInWindow(f, dataDir, 'bond2', ['eno1', 'eno2'], '192.0.2.12', 120);
    // A restart of the daemon drops the snapshot and the timer; the DB keeps the new config (§5.6).
    await onBox(probe, f.host, 'restart-middlewared || "$(dirname "$(readlink -f "$(command -v midclt)")")/restart-middlewared"', 60_000);
    await eventually('middleware restarted with nothing pending', () => onBox(probe, f.host, 'midclt call interface.has_pending_changes'), (out) => out.trim() === 'False', 60_000, 1000);

    const { kit, hostId, notices } = await restartAndConnect(dataDir);
    try {
      const entry = await auditFor(kit, hostId, (e) => e.bondName === 'bond2');
      expect(entry).toMatchObject({ action: 'create', result: 'kept-unconfirmed', recordedBy: 'recovered' });
      expect(entry.message).toMatch(/^Kept without confirmation: /);
      expect(await bondExists(kit, f.host, 'bond2')).toBe(true);
      expect(await kit.services.inflight.list()).toEqual([]);
      expect(notices).toEqual([expect.objectContaining({ hostId, bondName: 'bond2', result: 'kept-unconfirmed' })]);
    } finally {
      await kit.services.dispose();
      await probe.services.dispose();
    }
  });
});
