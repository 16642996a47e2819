import { describe, expect, it } from 'vitest';
import type { ConnectionState, Diagnosis, DiscoveryResult, Host } from '../../../../preload/contract';
import { bondStatus, linuxFacts } from '../../../../e2e/kit/host-facts';
import { bondRow, hostRow, matchesProblem, sortRows } from './fleet-health';

const host = (label: string, tags: string[] = []): Host => ({ id: label, label, address: `${label}.lan`, port: 22, user: 'root', auth: { kind: 'agent' }, jumpHostId: null, tags, useSudo: false, hasSecret: false });
const ready = (id: string): ConnectionState => ({ hostId: id, state: 'ready', reason: null, hostKey: null, since: '' });
const diag = (severity: Diagnosis['severity'], code: string, message = code): Diagnosis => ({ severity, code, message, member: null });
const result = (id: string, diagnosis: Diagnosis[]): DiscoveryResult => ({
  hostId: id,
  facts: { ...linuxFacts(), bonds: [bondStatus('bond0', ['eno2', 'eno3'], { diagnosis })] },
  view: { driver: { kind: 'linux-ifupdown', label: 'ifupdown' }, stack: 'ifupdown', bonding: 'loaded', readOnlyReason: null, bonds: [], pending: [] },
  error: null,
  durationMs: 10,
});

describe('fleet health', () => {
  it('names the LACP state of a bond from its diagnosis', () => {
    expect(bondRow(bondStatus('b', ['x'], { diagnosis: [diag('ok', 'lacp-ok')] })).lacp).toBe('negotiated');
    expect(bondRow(bondStatus('b', ['x'], { diagnosis: [diag('error', 'lacp-no-partner')] })).lacp).toBe('partner missing');
    expect(bondRow(bondStatus('b', ['x'], { diagnosis: [diag('error', 'lacp-split-aggregators')] })).lacp).toBe('split aggregators');
    expect(bondRow(bondStatus('b', ['x'], { diagnosis: [diag('info', 'lacp-details-hidden'), diag('ok', 'lacp-ok')] })).lacp).toBe('details hidden');
    expect(bondRow(bondStatus('b', ['x'], { mode: 'active-backup', protocol: 'FAILOVER' })).lacp).toBeNull();
  });

  it('counts members up and keeps the worst diagnosis', () => {
    const b = bondStatus('bond0', ['eno2', 'eno3'], { diagnosis: [diag('ok', 'lacp-ok'), diag('warning', 'mixed-speeds'), diag('error', 'member-down', 'eno3 is down')] });
    const row = bondRow({ ...b, members: b.members.map((m) => (m.name === 'eno3' ? { ...m, miiStatus: 'down' } : m)) });
    expect([row.membersUp, row.membersTotal]).toEqual([1, 2]);
    expect(row.worst?.message).toBe('eno3 is down');
    expect(row.level).toBe('error');
  });

  it('says which hosts have an unhealthy bond, and sorts them first', () => {
    const a = hostRow(host('a'), ready('a'), result('a', [diag('ok', 'lacp-ok')]));
    const b = hostRow(host('b'), ready('b'), result('b', [diag('error', 'member-down', 'eno3 is down')]));
    const c = hostRow(host('c'), { hostId: 'c', state: 'failed', reason: { code: 'X', message: 'Connection refused' }, hostKey: null, since: '' }, undefined);
    expect(a.summary).toBe('1 bond healthy');
    expect(b.summary).toBe('bond0: eno3 is down');
    // The overview shows the bond's diagnosis beside the health column, which names only where it is.
    expect(b.headline).toBe('Problem on bond0');
    expect(a.headline).toBe('1 bond healthy');
    expect(c.summary).toBe('Unreachable: Connection refused');
    expect(sortRows([a, b, c], 'health').map((r) => r.host.label)).toEqual(['b', 'c', 'a']);
    expect([a, b, c].filter((r) => matchesProblem(r, 'problems')).map((r) => r.host.label)).toEqual(['b', 'c']);
    expect([a, b, c].filter((r) => matchesProblem(r, 'unreachable')).map((r) => r.host.label)).toEqual(['c']);
  });
});
