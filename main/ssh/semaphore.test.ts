import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RECONNECT } from './backoff';
import { Semaphore } from './semaphore';

function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Semaphore', () => {
  it('never lets more than `limit` holders in and serves waiters in order', async () => {
    const sem = new Semaphore(2);
    const order: number[] = [];
    let peak = 0;
    const gates = Array.from({ length: 5 }, () => gate());
    const jobs = gates.map(async (gate, i) => {
      const release = await sem.acquire();
      order.push(i);
      peak = Math.max(peak, sem.inUse);
      await gate.promise;
      release();
      release(); // a second release must not free a second slot
    });
    await new Promise((r) => setImmediate(r));
    expect(sem.inUse).toBe(2);
    expect(sem.queued).toBe(3);
    for (const gate of gates) gate.resolve();
    await Promise.all(jobs);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(sem.inUse).toBe(0);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  const policy = { ...DEFAULT_RECONNECT, initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles per attempt and stays under the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters between half and the full delay', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
  });
});
