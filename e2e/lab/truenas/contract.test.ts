// The TrueNAS middleware double's contract cases (contract-cases.ts), run inside a truenas-flavored
// lab guest with a real kernel: bonds really appear in /proc/net/bonding and really go away again.
// Run: npx vitest run --config e2e/vitest.config.ts e2e/lab/truenas/contract.test.ts
import { afterAll, beforeAll } from 'vitest';
import { describeLab, labDown, labExec, labUp } from '../lab';
import { defineContractTests, type GuestExec } from './contract-cases';

const LAB = 'tn-contract';

describeLab('TrueNAS middleware double in a lab guest (25.04)', () => {
  beforeAll(async () => {
    await labUp({ name: LAB, hosts: 1, flavors: 'truenas' });
  });
  afterAll(async () => {
    await labDown(LAB);
  });
  const guest: GuestExec = { exec: (cmd, user) => labExec('nas1', cmd, { user: user ?? 'root', timeoutMs: 90_000 }, LAB) };
  defineContractTests(() => guest);
});
