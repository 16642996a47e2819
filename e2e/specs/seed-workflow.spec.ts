import type { Page } from '@playwright/test';
import { expect, test, e2eLab } from '../fixtures/app';
import { guestExec, host, labUnavailable, resetHosts } from '../fixtures/lab';
import { labCut, labRestore } from '../lab/lab';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, refreshUntilBondShows, saveApplyAndKeep, waitForDiscovery } from './ui-steps';

// The seed's procedure (Network → Add Interface → Link Aggregation → Save), done in Bondsmith on
// both host flavors: every field, a plan first, apply with an armed rollback, checks, Keep.

// The LACP check reads partner details that the kernel shows only to root, so that scenario logs in
// as root; the FAILOVER scenario on TrueNAS logs in as the built-in admin (midclt without sudo).
const FLAVORS = [
  { flavor: 'linux', host: 'nas1', lacpUser: 'root' as const, failoverUser: 'root' as const },
  { flavor: 'truenas', host: 'nas2', lacpUser: 'root' as const, failoverUser: 'admin' as const },
];

for (const { flavor, host: name, lacpUser, failoverUser } of FLAVORS) {
  test.describe(`seed workflow on ${flavor}`, () => {
    const unavailable = labUnavailable();
    test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
    test.afterAll(async () => {
      await resetHosts(name);
    });

    test(`LACP bond with every field, kept after checks; then edit and delete (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(600_000);
      const { page } = app;
      const h = host(lab, name);
      await addLabHost(page, name, h, lacpUser);
      await connectAndTrust(page, name, null);

      const form = await openAddInterface(page, name);
      await fillBond(form, {
        name: 'bond1',
        description: 'storage uplink — "rack 2"',
        protocol: 'LACP',
        xmitHashPolicy: 'LAYER3+4',
        lacpduRate: 'FAST',
        members: ['eno1', 'eno2'],
        aliases: [{ address: '192.0.2.10', prefix: '24' }],
      });
      await app.screenshot(`30-${flavor}-editor-filled`);
      await saveApplyAndKeep(page, app, `31-${flavor}`);

      // LACP negotiated with the switch: the partner is the switch's port-channel.
      // The partner shows first; both ports reach collecting/distributing a few LACPDUs later.
      await refreshUntilBondShows(page, name, 'bond1', h.switch.mac);
      await refreshUntilBondShows(page, name, 'bond1', 'LACP negotiated');
      await expect(page.getByRole('list', { name: 'Diagnosis of bond1' })).toContainText('LACP negotiated');
      await app.screenshot(`32-${flavor}-lacp-negotiated`);
      const ping = await guestExec(name, 'ping -c 1 -W 3 192.0.2.254');
      expect(ping.code, ping.stdout + ping.stderr).toBe(0);

      // Edit: change the hash policy and add a member.
      await page.getByRole('button', { name: 'Edit bond1' }).click();
      const edit = page.getByRole('form', { name: 'Edit bond1' });
      await expect(edit.getByLabel('Name', { exact: true })).toBeDisabled();
      await edit.getByLabel('Transmit Hash Policy').selectOption('LAYER2');
      await saveApplyAndKeep(page, null, `33-${flavor}`);
      await refreshUntilBondShows(page, name, 'bond1', 'layer2');

      // Delete.
      await page.getByRole('button', { name: 'Delete bond1' }).click();
      await page.getByRole('button', { name: 'Plan deletion' }).click();
      await saveApplyAndKeepAfterPlan(page);
      await waitForDiscovery(page, name);
      await expect(interfacesTable(page, name).getByRole('rowheader', { name: /bond1/ })).toHaveCount(0, { timeout: 60_000 });
      if (flavor === 'truenas') {
        const pending = await guestExec(name, 'midclt call interface.has_pending_changes');
        expect(pending.stdout.trim()).toBe('False');
      }
    });

    test(`LOADBALANCE with its hash policy, kept, then deleted (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(600_000);
      const { page } = app;
      await addLabHost(page, name, host(lab, name), failoverUser);
      await connectAndTrust(page, name, null);
      const form = await openAddInterface(page, name);
      await fillBond(form, { name: 'bond4', protocol: 'LOADBALANCE', xmitHashPolicy: 'LAYER3+4', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.40', prefix: '24' }] });
      await saveApplyAndKeep(page, app, `36-${flavor}-loadbalance`);
      await refreshUntilBondShows(page, name, 'bond4', /LOADBALANCE \(balance-xor\)/);
      await refreshUntilBondShows(page, name, 'bond4', 'layer3+4');
      await app.screenshot(`37-${flavor}-loadbalance-detail`);
      // Deleted again, so the FAILOVER scenario finds eno3 and eno4 free.
      await page.getByRole('button', { name: 'Delete bond4' }).click();
      await page.getByRole('button', { name: 'Plan deletion' }).click();
      await saveApplyAndKeepAfterPlan(page);
      await waitForDiscovery(page, name);
      await expect(interfacesTable(page, name).getByRole('rowheader', { name: /bond4/ })).toHaveCount(0, { timeout: 60_000 });
    });

    test(`FAILOVER moves to the next member when a cable is pulled (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(600_000);
      const { page } = app;
      await addLabHost(page, name, host(lab, name), failoverUser);
      await connectAndTrust(page, name, null);
      const form = await openAddInterface(page, name);
      await fillBond(form, { name: 'bond2', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.20', prefix: '24' }] });
      await saveApplyAndKeep(page, app, `34-${flavor}-failover`);
      await refreshUntilBondShows(page, name, 'bond2', /Active member\s*eno3/);
      await labCut(name, 'eno3', e2eLab());
      try {
        await refreshUntilBondShows(page, name, 'bond2', /Active member\s*eno4/);
        await app.screenshot(`35-${flavor}-failover-cable-cut`);
      } finally {
        await labRestore(name, 'eno3', e2eLab());
      }
    });
  });
}

async function saveApplyAndKeepAfterPlan(page: Page): Promise<void> {
  const plan = page.getByRole('region', { name: 'Plan' });
  await expect(plan).toBeVisible({ timeout: 60_000 });
  await plan.getByRole('button', { name: 'Apply with rollback' }).click();
  const progress = page.getByRole('region', { name: 'Apply progress' });
  const keep = progress.getByRole('button', { name: 'Keep' });
  await expect(keep).toBeEnabled({ timeout: 120_000 });
  await keep.click();
  await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
  await progress.getByRole('button', { name: 'Done' }).click();
}
