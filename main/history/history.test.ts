import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../preload/contract/audit';
import type { HostFacts } from '../../preload/contract/inventory';
import { bondStatus, linuxFacts, nic, spec, truenasFacts, withBond } from '../../e2e/kit/host-facts';
import { planBondChange } from '../drivers/plan-change';
import { bondDiffRows, diffRecordedBond } from './bond-diff';
import { historyEntryView } from './entry-view';
import { historyPlanScript, historyToJsonLines, historyToReport } from './export';
import { bondOnHost, recordedBond } from './recorded-bond';
import { planRestore, restoreIntent } from './restore-plan';

const bond1 = withBond(linuxFacts());

function withFailover(facts: HostFacts, members: string[]): HostFacts {
  return {
    ...facts,
    interfaces: [...facts.interfaces.map((i) => (members.includes(i.name) ? { ...i, master: 'bond1' } : i)), nic('bond1', { kind: 'bond', addresses: [{ family: 'inet', address: '203.0.113.5', prefix: 24, scope: 'global' }] })],
    bonds: [bondStatus('bond1', members, { mode: 'active-backup', protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null, primary: members[0] ?? null })],
  };
}

function withoutPort(facts: HostFacts, name: string): HostFacts {
  return { ...facts, interfaces: facts.interfaces.filter((i) => i.name !== name) };
}

describe('bond diff', () => {
  it('shows each editor field before and after, and what a list gained and lost', () => {
    const rows = bondDiffRows(spec({ members: ['eno2', 'eno3'], mtu: null }), spec({ members: ['eno2', 'eno4'], mtu: 9000, protocol: 'FAILOVER', xmitHashPolicy: null, lacpduRate: null }));
    const byField = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(byField.members).toMatchObject({ label: 'Interfaces', before: 'eno2, eno3', after: 'eno2 (primary), eno4', changed: true, note: 'eno4 added; eno3 removed' });
    expect(byField.mtu).toMatchObject({ before: 'default', after: '9000', changed: true });
    expect(byField.lacpduRate).toMatchObject({ before: 'SLOW', after: 'not used', changed: true });
    expect(byField.name).toMatchObject({ before: 'bond0', after: 'bond0', changed: false, note: null });
  });

  it('says when only the member order changed (the FAILOVER primary moves)', () => {
    const rows = bondDiffRows(spec({ members: ['eno2', 'eno3'] }), spec({ members: ['eno3', 'eno2'] }));
    expect(rows.find((r) => r.field === 'members')).toMatchObject({ changed: true, note: 'same entries, new order' });
  });

  it('reads the bond from the recorded facts: created, deleted, unchanged, not recorded', () => {
    const absent = recordedBond(linuxFacts(), 'bond1');
    const present = recordedBond(bond1, 'bond1');
    expect(present).toMatchObject({ state: 'present', spec: { name: 'bond1', members: ['eno2', 'eno3'], protocol: 'LACP' } });
    expect(diffRecordedBond(absent, present, 'bond1')).toMatchObject({ before: 'absent', after: 'present', summary: 'bond1 created.' });
    const deleted = diffRecordedBond(present, absent, 'bond1');
    expect(deleted.summary).toBe('bond1 deleted.');
    expect(deleted.rows.find((r) => r.field === 'members')).toMatchObject({ before: 'eno2, eno3', after: null, changed: true });
    expect(diffRecordedBond(present, present, 'bond1').summary).toBe("No difference in bond1's settings.");
    expect(diffRecordedBond(recordedBond(null, 'bond1'), present, 'bond1')).toMatchObject({ before: 'not-recorded', summary: 'The configuration before the change was not recorded.' });
    expect(recordedBond({ hostname: 'not facts' }, 'bond1').state).toBe('not-recorded');
  });
});

describe('restore planning', () => {
  const recordedLacp = recordedBond(bond1, 'bond1');

  it('puts an edited bond back: an update planned from today, each difference said', () => {
    const today = withFailover(linuxFacts(), ['eno2', 'eno3']);
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.action).toBe('update');
    expect(r.plan.verify.expected).toMatchObject({ protocol: 'LACP', members: ['eno2', 'eno3'] });
    expect(r.notes).toContain('Link Aggregation Protocol: FAILOVER today → LACP as recorded.');
    // Today's plan, not the recorded one: the same as planning that spec by hand now.
    const byHand = planBondChange({ hostId: 'h1', facts: today, action: 'update', spec: { ...spec(), name: 'bond1', aliases: [{ address: '203.0.113.5', prefix: 24 }] }, existingBondName: 'bond1', options: { runId: r.plan.runId } });
    expect(byHand.ok && byHand.plan.steps.map((s) => s.command)).toEqual(r.plan.steps.map((s) => s.command));
  });

  it('recreates a deleted bond', () => {
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today: linuxFacts() });
    expect(r.ok && r.plan.action).toBe('create');
    expect(r.notes[0]).toBe('bond1 is not on this host today (deleted since); putting it back creates it with the recorded settings.');
  });

  it('a member gone: put back without it, and says so; the FAILOVER primary passes to the next', () => {
    const recorded = recordedBond(withFailover(linuxFacts(), ['eno2', 'eno3']), 'bond1');
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'after', recorded, today: withoutPort(linuxFacts(), 'eno2') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.verify.expected?.members).toEqual(['eno3']);
    expect(r.notes).toContain('eno2 was a member then and is no longer on this host; bond1 is put back without it.');
    expect(r.notes).toContain('eno2 was the primary; eno3 becomes the primary.');
  });

  it('every member gone: refused with the reason', () => {
    const today = withoutPort(withoutPort(linuxFacts(), 'eno2'), 'eno3');
    const r = restoreIntent({ bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r).toMatchObject({ ok: false, refusal: "None of bond1's recorded members (eno2, eno3) is on this host any more, so it cannot be put back." });
  });

  it('a member now in another bond: refused, naming it, never taken from there', () => {
    const today: HostFacts = {
      ...linuxFacts(),
      interfaces: [...linuxFacts().interfaces.map((i) => (i.name === 'eno3' ? { ...i, master: 'bond2' } : i)), nic('bond2', { kind: 'bond' })],
      bonds: [bondStatus('bond2', ['eno3'])],
    };
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r).toMatchObject({ ok: false, refusal: 'eno3 is now a member of bond2. Putting bond1 back would take it from there; change bond2 first.' });
  });

  it('the name taken by an interface that is not a bond: refused', () => {
    const today: HostFacts = { ...linuxFacts(), interfaces: [...linuxFacts().interfaces, nic('bond1', { kind: 'bridge' })] };
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r).toMatchObject({ ok: false, refusal: 'The name bond1 is taken: on this host today it is a bridge interface, not a bond. Bondsmith will not replace it; rename or remove that interface first.' });
  });

  it("the recorded address now on another interface: refused with the planner's reason", () => {
    const today: HostFacts = { ...linuxFacts(), interfaces: linuxFacts().interfaces.map((i) => (i.name === 'eno4' ? { ...i, addresses: [{ family: 'inet', address: '203.0.113.5', prefix: 24, scope: 'global' }] } : i)) };
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toBe("Today's host does not take the recorded configuration: 203.0.113.5 is already used by eno4.");
    expect(r.fieldErrors).toEqual([{ field: 'aliases.0.address', message: '203.0.113.5 is already used by eno4' }]);
  });

  it('a bond that did not exist then is deleted; already as recorded is refused', () => {
    const absent = recordedBond(linuxFacts(), 'bond1');
    const del = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: absent, today: bond1 });
    expect(del.ok && del.plan.action).toBe('delete');
    expect(del.notes).toEqual(['bond1 did not exist before that change; putting that back deletes it and releases eno2, eno3.']);
    expect(restoreIntent({ bondName: 'bond1', side: 'before', recorded: absent, today: linuxFacts() })).toMatchObject({ ok: false, refusal: 'bond1 did not exist before that change and does not exist today: the host is already as it was.' });
    expect(restoreIntent({ bondName: 'bond1', side: 'after', recorded: recordedLacp, today: bond1 })).toMatchObject({ ok: false, refusal: 'bond1 is already as it was after that change: nothing to change.' });
    expect(restoreIntent({ bondName: 'bond1', side: 'after', recorded: { state: 'not-recorded' }, today: bond1 })).toMatchObject({ ok: false, refusal: "This entry did not record the host's configuration after that change, so there is nothing to put back." });
  });

  it('plans through the host of today, whatever its driver (TrueNAS: middleware calls)', () => {
    const today = truenasFacts('24.10');
    const r = planRestore({ hostId: 'h1', bondName: 'bond1', side: 'before', recorded: recordedLacp, today });
    expect(r.ok && r.plan.driver).toBe('truenas');
    expect(r.ok && r.plan.steps.some((s) => s.command.includes('interface.create'))).toBe(true);
    expect(bondOnHost(today, 'bond1').state).toBe('absent');
  });
});

function entryFor(before: HostFacts, after: HostFacts | null, extra: Partial<AuditEntry> = {}): AuditEntry {
  const planned = planBondChange({ hostId: 'h1', facts: before, action: 'create', spec: spec({ name: 'bond1' }), options: { runId: 'create-abc' } });
  if (!planned.ok) throw new Error('plan');
  return {
    time: '2026-12-02T10:00:12.000Z',
    startedAt: '2026-12-02T10:00:00.000Z',
    hostId: 'h1',
    hostLabel: 'nas1',
    address: '198.51.100.11:22',
    localUser: 'alice',
    remoteUser: 'root',
    action: 'create',
    bondName: 'bond1',
    result: 'confirmed',
    message: 'Kept.',
    plan: planned.plan,
    stateBefore: before,
    stateAfter: after,
    steps: [{ id: 'arm', title: 'Arm the rollback', status: 'done', detail: null }],
    checks: [{ name: 'Members', ok: true, detail: 'eno2, eno3' }],
    ...extra,
  };
}

const summaryOf = (e: AuditEntry) => ({ kind: 'entry' as const, id: '0123456789abcdef', time: e.time, hostId: e.hostId, hostLabel: e.hostLabel, localUser: e.localUser, action: e.action, bondName: e.bondName, result: e.result, message: e.message, runId: e.runId ?? null, durationMs: 12_000, recordedBy: 'app' as const });

describe('history export', () => {
  const entry = entryFor(linuxFacts(), bond1);
  const item = { entry, view: historyEntryView(summaryOf(entry), entry) };

  it('JSON lines: each entry whole, one line each, damaged lines said as damaged', () => {
    const text = historyToJsonLines([item, item], [{ kind: 'damaged', id: 'ffffffffffffffff', file: 'audit.jsonl', line: 3, reason: 'not valid JSON', preview: '{"ti' }]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ id: '0123456789abcdef', hostLabel: 'nas1', result: 'confirmed', stateAfter: { hostname: 'box1' } });
    expect(JSON.parse(lines[2] ?? '')).toEqual({ damaged: { id: 'ffffffffffffffff', file: 'audit.jsonl', line: 3, reason: 'not valid JSON', preview: '{"ti' } });
  });

  it('the report says what changed on which box, when, by whom, and whether it stuck', () => {
    const text = historyToReport([item], { title: 'all hosts', matched: 3, damaged: [], generatedAt: '2026-12-02T11:00:00.000Z' });
    expect(text).toContain('== 2026-12-02T10:00:12.000Z  nas1 (198.51.100.11:22)  create bond1  KEPT');
    expect(text).toContain('By alice on this computer, as root on the box; 12.0 s.');
    expect(text).toContain('1 entry of 3 matching (the newest)');
    expect(text).toContain('Configuration: bond1 created.');
    expect(text).toMatch(/\* Interfaces +\(no bond\) {2}-> {2}eno2, eno3/);
    expect(text).toContain('[ok] Members: eno2, eno3');
    expect(text).toContain('[arm] ');
  });

  it('the recorded plan as the plan-as-script export, or null where none is readable', () => {
    const script = historyPlanScript(entry);
    expect(script?.startsWith('#!/bin/sh\n# Bondsmith plan: create bond1 on host h1')).toBe(true);
    expect(script).toContain("ended kept.");
    expect(historyPlanScript({ ...entry, plan: { steps: 'rm -rf /' } })).toBeNull();
  });

  it('an entry view carries the plan, the checks and the diff; a line without facts says not recorded', () => {
    expect(item.view.plan?.steps.length).toBeGreaterThan(3);
    expect(item.view.checks).toEqual([{ name: 'Members', ok: true, detail: 'eno2, eno3' }]);
    expect(item.view.diff.summary).toBe('bond1 created.');
    const bare = { ...entry, stateAfter: null, checks: undefined };
    expect(historyEntryView(summaryOf(bare), bare)).toMatchObject({ checks: [], diff: { after: 'not-recorded' } });
  });
});
