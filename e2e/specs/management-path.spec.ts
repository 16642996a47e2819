import { expect, test } from '../fixtures/app';
import { host, labUnavailable, resetHosts } from '../fixtures/lab';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, waitForDiscovery } from './ui-steps';

// A change that cuts the management path: the management NIC goes into a bond that asks DHCP for
// its address, and the lab has no DHCP server. Bondsmith cannot reconnect, so the box rolls back on
// its own within the timeout, and the UI says so; the host is reachable again afterwards.

const FLAVORS = [
  { flavor: 'linux', name: 'nas1', user: 'root' as const },
  { flavor: 'truenas', name: 'nas2', user: 'admin' as const },
];

for (const { flavor, name, user } of FLAVORS) {
  test.describe(`management path on ${flavor}`, () => {
    const unavailable = labUnavailable();
    test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
    test.afterAll(async () => {
      await resetHosts(name);
    });

    test(`a change that cuts the SSH path rolls back by itself and the UI says so (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(420_000);
      const { page } = app;
      const h = host(lab, name);
      await addLabHost(page, name, h, user);
      await connectAndTrust(page, name, null);
      const form = await openAddInterface(page, name);
      await fillBond(form, { name: 'bond3', protocol: 'FAILOVER', members: ['ens3', 'eno3'] });
      await form.getByLabel('DHCP').check();
      await page.getByLabel('Rollback timeout (seconds)').fill('20');
      await form.getByRole('button', { name: 'Save' }).click();
      const plan = page.getByRole('region', { name: 'Plan' });
      await expect(plan).toBeVisible({ timeout: 60_000 });
      await expect(plan.getByRole('list', { name: 'Impact' })).toContainText(/management/i);
      await app.screenshot(`50-${flavor}-management-plan`);
      await plan.getByRole('button', { name: 'Apply with rollback' }).click();
      const progress = page.getByRole('region', { name: 'Apply progress' });
      await expect(progress.getByRole('timer', { name: 'Rollback countdown' })).toBeVisible({ timeout: 90_000 });
      await app.screenshot(`51-${flavor}-management-cut-countdown`);
      await expect(progress.getByRole('alert')).toContainText(/previous configuration/, { timeout: 240_000 });
      await expect(progress.getByRole('button', { name: 'Keep' })).toHaveCount(0);
      await app.screenshot(`52-${flavor}-management-rolled-back`);
      await progress.getByRole('button', { name: 'Done' }).click();

      // The box is reachable over its old path again, with its old address and no bond3.
      await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
      await waitForDiscovery(page, name);
      await expect(async () => {
        await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
        await expect(interfacesTable(page, name).getByRole('row', { name: /ens3/ })).toContainText(h.mgmt.address, { timeout: 3_000 });
        await expect(interfacesTable(page, name).getByRole('rowheader', { name: /bond3/ })).toHaveCount(0, { timeout: 3_000 });
      }).toPass({ timeout: 120_000 });
    });
  });
}
