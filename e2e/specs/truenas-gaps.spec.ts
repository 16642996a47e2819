import { expect, test } from '../fixtures/app';
import { guestExec, host, labUnavailable, resetHosts } from '../fixtures/lab';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, saveApplyAndKeep, waitForDiscovery } from './ui-steps';
import type { Page } from '@playwright/test';

// The TrueNAS items of issue 14 as a NAS admin meets them, on the e2e lab's TrueNAS host (nas2, the
// middleware double at 25.10.2.2): a port with its own configuration, a refusal of the middleware,
// a middlewared restart while the countdown runs, and the DNS server of a DHCP-installed box.

const NAME = 'nas2';
const RESTART = '/run/lab/repo/e2e/lab/truenas/bin/restart-middlewared';

async function onNas(command: string): Promise<string> {
  const r = await guestExec(NAME, command);
  if (r.code !== 0) throw new Error(`${command} failed on ${NAME}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

/** Make the middleware's config permanent at once (no rollback): how an admin's earlier setup looks. */
const commitNow = (): Promise<string> => onNas(`midclt call interface.commit '{"rollback":false}'`);

/** The plan on screen → Apply with rollback → Keep once the checks pass → Done. */
async function applyShownPlanAndKeep(page: Page): Promise<void> {
  await page.getByRole('region', { name: 'Plan' }).getByRole('button', { name: 'Apply with rollback' }).click();
  const progress = page.getByRole('region', { name: 'Apply progress' });
  await expect(progress.getByRole('button', { name: 'Keep' })).toBeEnabled({ timeout: 150_000 });
  await progress.getByRole('button', { name: 'Keep' }).click();
  await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
  await progress.getByRole('button', { name: 'Done' }).click();
}

async function refresh(page: Page): Promise<void> {
  await page.getByRole('region', { name: `Connection to ${NAME}` }).getByRole('button', { name: 'Refresh' }).click();
  await waitForDiscovery(page, NAME);
}

test.describe('TrueNAS gaps in the editor', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
  test.describe.configure({ mode: 'serial' });
  test.afterAll(async () => {
    await resetHosts(NAME);
  });

  test('a port with its own configuration is marked and reset as its own step', async ({ app, lab }) => {
    test.setTimeout(360_000);
    const { page } = app;
    await onNas(`midclt call interface.update eno3 '{"aliases":[{"type":"INET","address":"192.0.2.50","netmask":24}]}'`);
    await commitNow();
    await addLabHost(page, NAME, host(lab, NAME), 'admin');
    await connectAndTrust(page, NAME, null);
    const form = await openAddInterface(page, NAME);
    const available = form.getByRole('list', { name: 'Available interfaces' });
    await expect(available.getByRole('listitem').filter({ hasText: 'eno3' })).toContainText('own TrueNAS configuration (192.0.2.50/24): reset it to join');
    await fillBond(form, { name: 'bond1', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.11', prefix: '24' }] });
    const order = form.getByRole('list', { name: 'Member order' });
    await expect(order.getByRole('checkbox', { name: "Reset eno3's configuration" })).toBeVisible();
    await app.screenshot('90-truenas-configured-port');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(order.getByRole('alert')).toContainText('Tick "Reset eno3\'s configuration" under eno3', { timeout: 60_000 });
    await app.screenshot('91-truenas-configured-port-refused');
    await order.getByRole('checkbox', { name: "Reset eno3's configuration" }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect(plan.getByRole('list', { name: 'Impact' })).toContainText("eno3's own configuration is reset first", { timeout: 60_000 });
    await expect(plan.getByRole('list', { name: 'Remote operations' })).toContainText("Reset eno3's own network configuration (it joins the bond)");
    await app.screenshot('92-truenas-reset-plan');
    await applyShownPlanAndKeep(page);
    await expect(async () => {
      await refresh(page);
      await expect(interfacesTable(page, NAME).getByRole('row', { name: /details of bond1/ })).toContainText('192.0.2.11', { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    expect(await onNas(`midclt call interface.get_instance eno3`)).toMatch(/"aliases": \[\]/);
    await onNas('midclt call interface.delete bond1');
    await commitNow();
  });

  test('a refusal of the middleware comes back next to the field', async ({ app, lab }) => {
    test.setTimeout(300_000);
    const { page } = app;
    // In TrueNAS's DB but not applied (checked in without a commit): only the middleware knows it.
    await onNas(`midclt call interface.update eno2 '{"aliases":[{"type":"INET","address":"192.0.2.60","netmask":24}]}' && midclt call interface.checkin`);
    await addLabHost(page, NAME, host(lab, NAME), 'admin');
    await connectAndTrust(page, NAME, null);
    const form = await openAddInterface(page, NAME);
    await fillBond(form, { name: 'bond2', protocol: 'FAILOVER', members: ['eno4'], aliases: [{ address: '192.0.2.12', prefix: '24' }] });
    await form.getByRole('button', { name: 'Save' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await plan.getByRole('button', { name: 'Apply with rollback' }).click({ timeout: 60_000 });
    const progress = page.getByRole('region', { name: 'Apply progress' });
    await expect(progress.getByRole('alert')).toContainText('The network 192.0.2.0/24 is already in use by another interface.', { timeout: 120_000 });
    await expect(progress).not.toContainText('interface_create');
    await app.screenshot('93-truenas-middleware-refused');
    await progress.getByRole('button', { name: 'Back to the editor' }).click();
    const again = page.getByRole('form', { name: 'Add Interface' });
    await expect(again.getByRole('alert').filter({ hasText: 'already in use by another interface' })).toBeVisible();
    await app.screenshot('94-truenas-middleware-refusal-at-field');
    await again.getByRole('button', { name: 'Cancel' }).click();
    await onNas('midclt call interface.delete eno2');
    await commitNow();
  });

  test('a middlewared restart while the countdown runs: the app says the box kept it and offers a safe revert', async ({ app, lab }) => {
    test.setTimeout(420_000);
    const { page } = app;
    await addLabHost(page, NAME, host(lab, NAME), 'admin');
    await connectAndTrust(page, NAME, null);
    const form = await openAddInterface(page, NAME);
    await fillBond(form, { name: 'bond0', protocol: 'LACP', members: ['eno1', 'eno2'], aliases: [{ address: '192.0.2.10', prefix: '24' }] });
    await page.getByLabel('Rollback timeout (seconds)').fill('180');
    await saveApplyAndKeep(page, null, '', false);
    await onNas(RESTART);
    const progress = page.getByRole('region', { name: 'Apply progress' });
    await expect(progress.getByRole('alert')).toContainText('The box kept this change without confirmation.', { timeout: 90_000 });
    await expect(progress.getByRole('button', { name: 'Keep' })).toHaveCount(0);
    await expect(interfacesTable(page, NAME).getByRole('row', { name: /details of bond0/ })).toContainText('192.0.2.10', { timeout: 60_000 });
    await app.screenshot('95-truenas-kept-without-confirmation');
    await progress.getByRole('button', { name: 'Plan reverting this change' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect(plan.getByRole('heading', { name: 'Plan: delete bond0' })).toBeVisible({ timeout: 60_000 });
    await app.screenshot('96-truenas-revert-plan');
    await applyShownPlanAndKeep(page);
    await expect(async () => {
      await refresh(page);
      await expect(interfacesTable(page, NAME).getByRole('rowheader', { name: /bond0/ })).toHaveCount(0, { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
  });

  test('a DHCP-installed box keeps its DNS server when the management NIC moves into a bond', async ({ app, lab }) => {
    test.setTimeout(420_000);
    const { page } = app;
    const h = host(lab, NAME);
    // A box as installed: no interface rows (DHCP gave it its address and its DNS server).
    await onNas("rm -f /etc/resolv.conf && printf 'nameserver 198.51.100.53\\n' > /etc/resolv.conf && midclt call interface.delete ens3 && midclt call interface.checkin");
    await addLabHost(page, NAME, h, 'admin');
    await connectAndTrust(page, NAME, null);
    const form = await openAddInterface(page, NAME);
    const [ip = '', prefix = '24'] = h.mgmt.address.split('/');
    await fillBond(form, { name: 'bond3', protocol: 'FAILOVER', members: ['ens3', 'eno4'], aliases: [{ address: ip, prefix }] });
    await form.getByRole('button', { name: 'Save' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect(plan.getByRole('list', { name: 'Impact' })).toContainText('DNS servers 198.51.100.53 are kept', { timeout: 60_000 });
    await expect(plan.getByRole('list', { name: 'Remote operations' })).toContainText(`Keep the default gateway ${h.mgmt.gateway} and the DNS servers 198.51.100.53`);
    await app.screenshot('97-truenas-dns-kept-plan');
    await applyShownPlanAndKeep(page);
    await expect(interfacesTable(page, NAME).getByRole('row', { name: /details of bond3/ })).toContainText(ip, { timeout: 60_000 });
    expect(await onNas('midclt call network.configuration.config')).toMatch(/"nameserver1": "198\.51\.100\.53"/);
  });
});
