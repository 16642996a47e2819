import { describe, expect, it } from 'vitest';
import { channels, defaultBondSpec } from '../contract';

const request = (over: Record<string, unknown> = {}) => ({
  spec: { ...defaultBondSpec(), members: ['eno1', 'eno2'] },
  targets: [
    { hostId: 'a', members: null },
    { hostId: 'b', members: ['eth0', 'eth1'] },
  ],
  checkinTimeoutSeconds: 60,
  canaryHostId: 'a',
  parallelism: 1,
  autoKeep: { canary: false, rest: true },
  ...over,
});

const issue = (over: Record<string, unknown>): string | undefined => {
  const r = channels['fleet.start'].request.safeParse(request(over));
  return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('fleet channels', () => {
  it('accept a rollout with a canary among its targets and per-host members', () => {
    expect(issue({})).toBeUndefined();
  });

  it('refuse a canary that is not a target, a host listed twice, an empty mapping and a parallelism out of range', () => {
    expect(issue({ canaryHostId: 'z' })).toBe('canaryHostId: The canary must be one of the target hosts');
    expect(issue({ targets: [{ hostId: 'a', members: null }, { hostId: 'a', members: null }] })).toBe('targets: A host is listed twice');
    expect(issue({ targets: [{ hostId: 'a', members: [] }] })).toBe('targets.0.members: Pick at least one port');
    expect(issue({ parallelism: 0 })).toBe('parallelism: At least one host at a time');
    expect(issue({ parallelism: 17 })).toBe('parallelism: At most 16 hosts at a time');
  });

  it('refuse a run id of another form (it names a file)', () => {
    expect(channels['fleet.abort'].request.safeParse({ runId: '../../x' }).success).toBe(false);
    expect(channels['fleet.abort'].request.safeParse({ runId: 'run-abc_1' }).success).toBe(true);
  });
});
