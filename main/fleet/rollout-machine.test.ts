import { describe, expect, it } from 'vitest';
import { defaultBondSpec, type FleetRun } from '../../preload/contract';
import { abort, hostsToStart, interrupted, newRun, pause, resume, updateHost } from './rollout-machine';

const T = '2026-12-02T10:00:00.000Z';

function run(over: { parallelism?: number; canary?: string; hosts?: string[] } = {}): FleetRun {
  const hosts = (over.hosts ?? ['a', 'b', 'c', 'd']).map((id) => ({ hostId: id, label: `nas-${id}`, members: ['eno1', 'eno2'] }));
  return newRun({ runId: 'run-1', now: T, spec: defaultBondSpec(), checkinTimeoutSeconds: 60, canaryHostId: over.canary ?? 'a', parallelism: over.parallelism ?? 1, autoKeep: { canary: false, rest: true }, hosts });
}

const states = (r: FleetRun): string => r.hosts.map((h) => `${h.hostId}:${h.state}`).join(' ');
const step = (r: FleetRun, hostId: string, state: Parameters<typeof updateHost>[2]['state'], reason = ''): FleetRun => updateHost(r, hostId, { state, reason }, T);

describe('rollout state machine', () => {
  it('puts the canary first and starts it alone', () => {
    const r = run({ canary: 'c' });
    expect(r.hosts.map((h) => h.hostId)).toEqual(['c', 'a', 'b', 'd']);
    expect(hostsToStart(r)).toEqual(['c']);
    const started = step(r, 'c', 'planning');
    expect(hostsToStart(started)).toEqual([]);
  });

  it('starts nobody else while the canary counts down, however high the parallelism', () => {
    let r = run({ parallelism: 3 });
    r = step(step(step(r, 'a', 'planning'), 'a', 'applying'), 'a', 'countdown');
    expect(hostsToStart(r)).toEqual([]);
    r = step(r, 'a', 'kept');
    expect(hostsToStart(r)).toEqual(['b', 'c', 'd']);
  });

  it('after the canary goes one at a time by default', () => {
    let r = step(step(run(), 'a', 'planning'), 'a', 'kept');
    expect(hostsToStart(r)).toEqual(['b']);
    r = step(r, 'b', 'applying');
    expect(hostsToStart(r)).toEqual([]);
    r = step(r, 'b', 'kept');
    expect(hostsToStart(r)).toEqual(['c']);
  });

  it('with parallelism 2 keeps two hosts active', () => {
    let r = step(run({ parallelism: 2 }), 'a', 'kept');
    expect(hostsToStart(r)).toEqual(['b', 'c']);
    r = step(step(r, 'b', 'applying'), 'c', 'applying');
    r = step(r, 'b', 'kept');
    expect(hostsToStart(r)).toEqual(['d']);
  });

  it('stops at the first host that rolls back: the rest are skipped, untouched, the kept ones stay kept', () => {
    let r = step(run(), 'a', 'kept');
    r = step(step(r, 'b', 'applying'), 'b', 'rolled-back', 'Not confirmed within 20 s');
    expect(r.status).toBe('stopped');
    expect(r.statusText).toMatch(/nas-b rolled back/);
    expect(states(r)).toBe('a:kept b:rolled-back c:skipped d:skipped');
    expect(r.hosts[2]?.reason).toMatch(/stopped when nas-b rolled back/);
    expect(hostsToStart(r)).toEqual([]);
  });

  it('a failed canary stops the run before any other host', () => {
    const r = step(step(run(), 'a', 'planning'), 'a', 'failed', 'Plan refused');
    expect(r.status).toBe('stopped');
    expect(r.statusText).toMatch(/the canary nas-a failed/);
    expect(states(r)).toBe('a:failed b:skipped c:skipped d:skipped');
  });

  it('a failure while another host is still active stops new starts and lets that host finish', () => {
    let r = step(run({ parallelism: 2 }), 'a', 'kept');
    r = step(step(r, 'b', 'applying'), 'c', 'applying');
    r = step(r, 'b', 'failed');
    expect(r.status).toBe('stopped');
    expect(states(r)).toBe('a:kept b:failed c:applying d:skipped');
    r = step(r, 'c', 'kept');
    expect(states(r)).toBe('a:kept b:failed c:kept d:skipped');
    expect(r.status).toBe('stopped');
  });

  it('finishes when every host ended kept', () => {
    let r = run({ hosts: ['a', 'b'] });
    r = step(step(r, 'a', 'kept'), 'b', 'kept');
    expect(r.status).toBe('finished');
    expect(r.statusText).toBe('Finished: 2 of 2 hosts kept the change.');
  });

  it('Pause holds the next host, Resume starts it', () => {
    let r = step(run(), 'a', 'countdown');
    r = pause(r);
    r = step(r, 'a', 'kept');
    expect(r.status).toBe('paused');
    expect(hostsToStart(r)).toEqual([]);
    r = resume(r);
    expect(hostsToStart(r)).toEqual(['b']);
  });

  it('Abort skips the hosts not started and lets the active one finish', () => {
    let r = step(step(run(), 'a', 'kept'), 'b', 'applying');
    r = abort(r, T);
    expect(r.status).toBe('aborted');
    expect(states(r)).toBe('a:kept b:applying c:skipped d:skipped');
    expect(r.statusText).toBe('Aborted: no further host starts; 1 host still finishing its change.');
    r = step(r, 'b', 'kept');
    expect(r.status).toBe('aborted');
    expect(hostsToStart(r)).toEqual([]);
    expect(resume(r).status).toBe('aborted');
  });

  it('an ended host does not change again (a late event of its apply)', () => {
    const r = step(step(run(), 'a', 'kept'), 'a', 'countdown');
    expect(r.hosts[0]?.state).toBe('kept');
  });

  it('after a restart shows where it stopped: the active host interrupted, the rest waiting and untouched', () => {
    let r = step(step(run(), 'a', 'kept'), 'b', 'countdown');
    r = interrupted(r, T);
    expect(r.status).toBe('interrupted');
    expect(states(r)).toBe('a:kept b:interrupted c:waiting d:waiting');
    expect(r.statusText).toBe('Interrupted: Bondsmith closed during the run while nas-b was changing. 2 hosts were not started.');
    expect(hostsToStart(r)).toEqual([]);
    const finished = step(step(run({ hosts: ['a', 'b'] }), 'a', 'kept'), 'b', 'kept');
    expect(interrupted(finished, T)).toBe(finished);
  });
});
