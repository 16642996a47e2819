import { describe, expect, it } from 'vitest';
import type { PlanVerify } from '../plan/plan-types';
import { verifyKernel } from './kernel-verify';
import { verifyMiddleware } from './truenas/verify';

// The verifier reads what the plan's read-state commands print on a real box.

const gone: PlanVerify = {
  mode: 'absent',
  bondName: 'bond1',
  expected: null,
  kernelMode: null,
  miimonMs: null,
  mtu: null,
  reconnectAddress: null,
  releasedMembers: ['eno3'],
};

describe('verifyState after a delete', () => {
  it('accepts the bare "absent" the Linux read-state command prints when the bond is gone', () => {
    expect(verifyKernel(gone, 'absent\n')).toEqual([{ name: 'bond1 is gone', ok: true, detail: 'the kernel has no such bond' }]);
  });

  it('accepts a bond that went while it was read (cat found nothing, ip said absent)', () => {
    expect(verifyKernel(gone, '--bondsmith-ip--\nabsent\n')[0]).toMatchObject({ ok: true });
  });

  it('fails while /proc/net/bonding still lists the bond', () => {
    const proc = 'Bonding Mode: load balancing (xor)\nMII Status: up\n\nSlave Interface: eno3\nMII Status: up\n';
    const ip = JSON.stringify([{ ifname: 'bond1', mtu: 1500, addr_info: [] }]);
    expect(verifyKernel(gone, `${proc}--bondsmith-ip--\n${ip}`)[0]).toMatchObject({ ok: false });
  });

  it('accepts an empty interface.query answer from the middleware', () => {
    expect(verifyMiddleware(gone, '[]')[0]).toMatchObject({ ok: true });
    expect(verifyMiddleware(gone, '[{"id":"bond1"}]')[0]).toMatchObject({ ok: false });
  });
});
