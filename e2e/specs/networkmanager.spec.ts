import type { Page } from '@playwright/test';
import { expect, test as base, E2E_LAB } from '../fixtures/app';
import { host, labUnavailable } from '../fixtures/lab';
import { labCut, labDown, labExec, labRestore, labUp, type LabStatus } from '../lab/lab';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, refreshUntilBondShows, saveApplyAndKeep, waitForDiscovery } from './ui-steps';

// The seed's procedure on a host whose network NetworkManager owns: the same editor, a plan of nmcli
// commands with NetworkManager's checkpoint armed first, Keep; then what a newcomer sees on a netplan
// host (shown, never changed). A lab of its own: nas1 runs NetworkManager, nas2 too but with a netplan
// file that generates NetworkManager's configuration, as on an Ubuntu install.

const NM_LAB = `${E2E_LAB}-nm`;
const NETPLAN_YAML = 'network:\n  version: 2\n  renderer: NetworkManager\n';

const test = base.extend<object, { nmLab: LabStatus }>({
  nmLab: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern; the lab has none
    async ({}, use) => {
      const started = Date.now();
      const status = await labUp({ name: NM_LAB, hosts: 2, flavors: 'networkmanager' });
      const written = await labExec('nas2', `mkdir -p /etc/netplan && printf '%s' '${NETPLAN_YAML}' > /etc/netplan/01-network-manager-all.yaml`, {}, NM_LAB);
      if (written.code !== 0) throw new Error(`netplan file not written on nas2: ${written.stderr}`);
      console.log(`[lab] ${NM_LAB} up with ${status.hosts.length} host(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await use(status);
      await labDown(NM_LAB);
    },
    { scope: 'worker', timeout: 240_000 },
  ],
});

async function onNm(command: string): Promise<string> {
  const r = await labExec('nas1', command, { timeoutMs: 60_000 }, NM_LAB);
  return r.stdout;
}

function stackLine(page: Page, label: string) {
  return page.getByRole('region', { name: `Interfaces of ${label}` }).locator('.panel-header .muted');
}

test.describe('NetworkManager hosts', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);

  test('seed workflow on a NetworkManager host: LACP with every field kept as NM profiles, edited, deleted; FAILOVER fails over', async ({ app, nmLab }) => {
    test.setTimeout(600_000);
    const { page } = app;
    const h = host(nmLab, 'nas1');
    await addLabHost(page, 'nm1', h, 'root');
    await connectAndTrust(page, 'nm1', null);
    await waitForDiscovery(page, 'nm1');
    await expect(stackLine(page, 'nm1')).toContainText(/network: NetworkManager 1\.\d+/);
    await expect(stackLine(page, 'nm1')).toContainText('changes through NetworkManager (nmcli, checkpoint rollback)');
    await app.screenshot('80-networkmanager-host');

    const form = await openAddInterface(page, 'nm1');
    await fillBond(form, {
      name: 'bond1',
      description: 'storage uplink',
      protocol: 'LACP',
      xmitHashPolicy: 'LAYER3+4',
      lacpduRate: 'FAST',
      members: ['eno1', 'eno2'],
      aliases: [{ address: '192.0.2.10', prefix: '24' }],
      mtu: '9000',
    });
    await app.screenshot('81-networkmanager-editor-filled');
    // The plan names NetworkManager's own safety net and the nmcli commands.
    await page.getByRole('button', { name: 'Save' }).click();
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect(plan).toBeVisible({ timeout: 60_000 });
    await expect(plan).toContainText("Arm NetworkManager's checkpoint");
    await expect(plan).toContainText('NetworkManager keeps no description');
    await expect(plan.getByRole('list', { name: 'Impact' })).toContainText('A rollback is armed on the box first');
    await app.screenshot('82-networkmanager-plan');
    await plan.getByRole('button', { name: 'Apply with rollback' }).click();
    const progress = page.getByRole('region', { name: 'Apply progress' });
    await expect(progress.getByRole('timer', { name: 'Rollback countdown' })).toBeVisible({ timeout: 90_000 });
    await expect(progress.getByRole('button', { name: 'Keep' })).toBeEnabled({ timeout: 120_000 });
    await expect(progress.getByRole('list', { name: 'Verification checks' })).not.toContainText('✗');
    // While it waits, the checkpoint is armed in NetworkManager.
    expect(await onNm('busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints')).toMatch(/Checkpoint\/[0-9]+/);
    await app.screenshot('83-networkmanager-countdown');
    await progress.getByRole('button', { name: 'Keep' }).click();
    await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
    await progress.getByRole('button', { name: 'Done' }).click();
    expect(await onNm('busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints')).toMatch(/^ao 0/);

    await refreshUntilBondShows(page, 'nm1', 'bond1', h.switch.mac);
    await refreshUntilBondShows(page, 'nm1', 'bond1', 'LACP negotiated');
    await app.screenshot('84-networkmanager-lacp-negotiated');
    expect(await onNm('nmcli -g NAME connection show')).toMatch(/^bond1$[\s\S]*bond1-port-eno1[\s\S]*bond1-port-eno2|bond1-port-eno1[\s\S]*^bond1$/m);
    expect(await onNm('ip -o link show dev bond1')).toContain('mtu 9000');

    // Edit: another hash policy.
    await page.getByRole('button', { name: 'Edit bond1' }).click();
    const edit = page.getByRole('form', { name: 'Edit bond1' });
    await expect(edit.getByLabel('Name', { exact: true })).toBeDisabled();
    await expect(edit.getByLabel('Transmit Hash Policy')).toHaveValue('LAYER3+4');
    await edit.getByLabel('Transmit Hash Policy').selectOption('LAYER2');
    await saveApplyAndKeep(page, null, 'nm-edit');
    await refreshUntilBondShows(page, 'nm1', 'bond1', 'layer2');
    expect(await onNm('nmcli -g bond.options connection show id bond1')).toMatch(/xmit_hash_policy=layer2(,|\s*$)/);

    // Delete: the bond and its profiles are gone.
    await page.getByRole('button', { name: 'Delete bond1' }).click();
    await page.getByRole('button', { name: 'Plan deletion' }).click();
    await saveApplyAndKeepAfterPlan(page);
    await waitForDiscovery(page, 'nm1');
    await expect(interfacesTable(page, 'nm1').getByRole('rowheader', { name: /bond1/ })).toHaveCount(0, { timeout: 60_000 });
    expect(await onNm('nmcli -g NAME connection show')).not.toMatch(/bond1/);

    // FAILOVER: a pulled cable moves the active member.
    const failover = await openAddInterface(page, 'nm1');
    await fillBond(failover, { name: 'bond2', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.20', prefix: '24' }] });
    await saveApplyAndKeep(page, null, 'nm-failover');
    await refreshUntilBondShows(page, 'nm1', 'bond2', /Active member\s*eno3/);
    await labCut('nas1', 'eno3', NM_LAB);
    try {
      await refreshUntilBondShows(page, 'nm1', 'bond2', /Active member\s*eno4/);
      await app.screenshot('85-networkmanager-failover-cable-cut');
    } finally {
      await labRestore('nas1', 'eno3', NM_LAB);
    }
  });

  test('a netplan host is shown read-only with the reason, Add Interface disabled', async ({ app, nmLab }) => {
    const { page } = app;
    await addLabHost(page, 'netplan1', host(nmLab, 'nas2'), 'root');
    await connectAndTrust(page, 'netplan1', null);
    await waitForDiscovery(page, 'netplan1');
    const region = page.getByRole('region', { name: 'Interfaces of netplan1' });
    await expect(stackLine(page, 'netplan1')).toContainText('network: netplan (renderer NetworkManager)');
    await expect(region.getByRole('status').filter({ hasText: 'netplan' })).toContainText('Bondsmith has no driver for netplan yet');
    await expect(region.getByRole('button', { name: 'Add Interface' })).toBeDisabled();
    await app.screenshot('86-netplan-host-read-only');
  });
});

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
