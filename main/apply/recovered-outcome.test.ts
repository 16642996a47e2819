import { describe, expect, it } from 'vitest';
import type { BondSpec } from '../../preload/contract/bond-spec';
import { recoveredOutcome, type RecoveredChange } from './recovered-outcome';

const spec = (partial: Partial<BondSpec> = {}): BondSpec => ({
  name: 'bond0',
  description: '',
  protocol: 'LACP',
  xmitHashPolicy: 'LAYER2+3',
  lacpduRate: 'SLOW',
  mtu: null,
  members: ['eno1', 'eno2'],
  dhcp: false,
  aliases: [{ address: '192.0.2.10', prefix: 24 }],
  ...partial,
});

const create: RecoveredChange = { action: 'create', bondName: 'bond0', runId: 'create-abc', reachedCountdown: true, verify: { mode: 'present', expected: spec() } };
const update: RecoveredChange = { action: 'update', bondName: 'bond0', runId: 'update-abc', reachedCountdown: true, verify: { mode: 'present', expected: spec({ members: ['eno1', 'eno2', 'eno3'] }) } };
const remove: RecoveredChange = { action: 'delete', bondName: 'bond0', runId: 'delete-abc', reachedCountdown: true, verify: { mode: 'absent', expected: null } };

describe('recoveredOutcome', () => {
  it('leaves a change the box still holds armed to the Keep/Revert banner', () => {
    const linux = { key: 'create-abc', runId: 'create-abc', text: '', secondsLeft: 12 };
    expect(recoveredOutcome(create, { pending: [linux], bond: { spec: spec() } }).kind).toBe('still-pending');
    // The middleware keeps one snapshot without ids: it may be this change.
    const middleware = { key: 'middleware', runId: null, text: '', secondsLeft: 12 };
    expect(recoveredOutcome(create, { pending: [middleware], bond: { spec: spec() } }).kind).toBe('still-pending');
  });

  it('does not take another run armed on the box for this one', () => {
    const other = { key: 'create-other', runId: 'create-other', text: '', secondsLeft: 12 };
    expect(recoveredOutcome(create, { pending: [other], bond: null }).kind).toBe('rolled-back');
  });

  it('a created bond that is gone was rolled back on the box', () => {
    const out = recoveredOutcome(create, { pending: [], bond: null });
    expect(out.kind).toBe('rolled-back');
    expect(out).toMatchObject({ message: expect.stringMatching(/^Rolled back on the box: Bondsmith was not running .* \(create bond0\)/) as unknown });
  });

  it('says so when the app died while applying, before the countdown', () => {
    const out = recoveredOutcome({ ...create, reachedCountdown: false }, { pending: [], bond: null });
    expect(out).toMatchObject({ kind: 'rolled-back', message: expect.stringMatching(/^Rolled back on the box: Bondsmith stopped while it was applying this change \(create bond0\)/) as unknown });
  });

  it('a created bond still there as planned was kept without confirmation', () => {
    // The box reads back the addresses in its own order and spelling.
    const now = spec({ aliases: [{ address: '192.0.2.10', prefix: 24 }], description: 'something the stack added' });
    const out = recoveredOutcome(create, { pending: [], bond: { spec: now } });
    expect(out.kind).toBe('kept-unconfirmed');
    expect(out).toMatchObject({ message: expect.stringMatching(/^Kept without confirmation: .*\(create bond0\)/) as unknown });
  });

  it('an edit whose bond is back to its old fields was rolled back; with the new fields it was kept', () => {
    expect(recoveredOutcome(update, { pending: [], bond: { spec: spec() } }).kind).toBe('rolled-back');
    expect(recoveredOutcome(update, { pending: [], bond: { spec: spec({ members: ['eno3', 'eno1', 'eno2'] }) } }).kind).toBe('kept-unconfirmed');
    expect(recoveredOutcome(update, { pending: [], bond: null }).kind).toBe('rolled-back');
  });

  it('an edit is told apart by each field the box reads back', () => {
    const planned: RecoveredChange = { ...create, verify: { mode: 'present', expected: spec({ mtu: 9000, lacpduRate: 'FAST' }) } };
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 9000, lacpduRate: 'FAST' }) } }).kind).toBe('kept-unconfirmed');
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 1500, lacpduRate: 'FAST' }) } }).kind).toBe('rolled-back');
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 9000, lacpduRate: 'SLOW' }) } }).kind).toBe('rolled-back');
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 9000, lacpduRate: 'FAST', protocol: 'FAILOVER' }) } }).kind).toBe('rolled-back');
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 9000, lacpduRate: 'FAST', aliases: [] }) } }).kind).toBe('rolled-back');
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: spec({ mtu: 9000, lacpduRate: 'FAST', dhcp: true }) } }).kind).toBe('rolled-back');
    // A bond in a mode the editor does not offer is not the planned one.
    expect(recoveredOutcome(planned, { pending: [], bond: { spec: null } }).kind).toBe('rolled-back');
  });

  it('a delete is kept when the bond is gone, rolled back when it is there again', () => {
    expect(recoveredOutcome(remove, { pending: [], bond: null }).kind).toBe('kept-unconfirmed');
    expect(recoveredOutcome(remove, { pending: [], bond: { spec: spec() } })).toMatchObject({ kind: 'rolled-back', message: expect.stringContaining('(delete bond0)') as unknown });
  });
});
