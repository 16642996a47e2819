import type { Page } from '@playwright/test';
import { expect, test, e2eLab } from '../fixtures/app';
import { guestExec, host, labUnavailable, resetHosts } from '../fixtures/lab';
import { labCut, labRestore } from '../lab/lab';
import { addLabHost, connectAndTrust, interfacesTable, waitForDiscovery } from './ui-steps';

// Issue 17: the seed's workflow done with the keyboard alone, then the bond's picture: its text
// alternative names the switch (partner MAC) and the aggregator once LACP negotiates, and changes when
// a cable is pulled; a bond whose switch ports do not speak LACP shows that at a glance. Screens in
// the light and dark themes, at 1280 px and at a narrow 900 px.

const NAME = 'nas1';

function pictureWords(page: Page, bond: string) {
  return page.getByRole('list', { name: `Picture of ${bond} in words` });
}

/** Expand the bond's detail (keyboard: focus its toggle, Enter) and refresh until the words show `text`. */
async function refreshUntilPictureSays(page: Page, bond: string, text: string | RegExp): Promise<void> {
  const toggle = interfacesTable(page, NAME).getByRole('button', { name: new RegExp(`^(Show|Hide) details of ${bond}$`) });
  await expect(toggle).toBeVisible({ timeout: 60_000 });
  const refresh = page.getByRole('region', { name: `Connection to ${NAME}` }).getByRole('button', { name: 'Refresh' });
  await expect(async () => {
    // The table is drawn anew when the editor closes, folding the detail again: unfold it each round.
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') {
      await toggle.focus();
      await page.keyboard.press('Enter');
    }
    await refresh.focus();
    await page.keyboard.press('Enter');
    await expect(pictureWords(page, bond)).toContainText(text, { timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
}

async function shootBothThemes(page: Page, app: { screenshot(name: string): Promise<void> }, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 900]) {
      await page.setViewportSize({ width, height: 800 });
      await app.screenshot(`${name}-${scheme}-${width}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 820 });
}

test.describe('bond picture, keyboard and themes', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
  test.afterAll(async () => {
    await resetHosts(NAME);
  });

  test('keyboard-only LACP bond; the picture names partner and aggregator and shows a pulled cable', async ({ app, lab }) => {
    test.setTimeout(600_000);
    const { page } = app;
    const h = host(lab, NAME);
    await addLabHost(page, NAME, h, 'root');
    await connectAndTrust(page, NAME, null);
    await waitForDiscovery(page, NAME);
    await shootBothThemes(page, app, '60-host-view');

    // From here on, the keyboard only: focus moves with Tab or to a named control, keys do the rest.
    const add = page.getByRole('region', { name: `Interfaces of ${NAME}` }).getByRole('button', { name: 'Add Interface' });
    await add.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Add Interface' });
    await expect(form.getByRole('list', { name: 'Available interfaces' }).getByText('eno1', { exact: true })).toBeVisible();
    const name = form.getByLabel('Name', { exact: true });
    await name.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('bond1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('picture uplink');
    const protocol = form.getByLabel('Link Aggregation Protocol');
    await expect(protocol).toHaveValue('LACP');
    const rate = form.getByLabel('LACPDU Rate');
    await rate.focus();
    await page.keyboard.press('ArrowDown'); // SLOW -> FAST
    await expect(rate).toHaveValue('FAST');
    const available = form.getByRole('list', { name: 'Available interfaces' });
    for (const port of ['eno1', 'eno2']) {
      await available.getByRole('checkbox', { name: port, exact: true }).focus();
      await page.keyboard.press('Space');
      await expect(available.getByRole('checkbox', { name: port, exact: true })).toBeChecked();
    }
    await expect(form.getByRole('button', { name: 'Save' })).toHaveAttribute('aria-keyshortcuts', 'Alt+S');
    await shootBothThemes(page, app, '61-editor');

    await page.keyboard.press('Alt+s');
    const plan = page.getByRole('region', { name: 'Plan' });
    await expect(plan).toBeVisible({ timeout: 60_000 });
    await shootBothThemes(page, app, '62-plan');
    await page.keyboard.press('Alt+a');
    const progress = page.getByRole('region', { name: 'Apply progress' });
    await expect(progress.getByRole('timer', { name: 'Rollback countdown' })).toBeVisible({ timeout: 90_000 });
    const keep = progress.getByRole('button', { name: 'Keep' });
    await expect(keep).toBeEnabled({ timeout: 120_000 });
    await expect(progress.getByText(/Rollback in \d+ seconds unless the change is kept\. Checks passed/)).toBeAttached();
    await shootBothThemes(page, app, '63-countdown');
    await page.keyboard.press('Alt+k');
    await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
    await shootBothThemes(page, app, '64-outcome');
    await expect(progress.getByRole('button', { name: 'Done' })).toBeFocused();
    await page.keyboard.press('Enter');

    // LACP negotiates with the lab switch's port-channel po1: one aggregator, the switch's MAC.
    await refreshUntilPictureSays(page, 'bond1', '2 of 2 members carrying traffic.');
    const words = pictureWords(page, 'bond1');
    await expect(words).toContainText(`partner ${h.switch.mac}`);
    await expect(words).toContainText(/Aggregator \d+ · active/);
    await expect(words).toContainText(/eno1: link up, .*aggregator \d+, carrying traffic/);
    // The state bits in words, on keyboard focus.
    await page.getByRole('img', { name: /^eno1: / }).focus();
    await expect(page.locator('.pic-details')).toContainText('Distributing: distributing (sends frames)');
    await shootBothThemes(page, app, '65-picture-healthy');

    await labCut(NAME, 'eno2', e2eLab());
    try {
      await refreshUntilPictureSays(page, 'bond1', 'no link on eno2');
      await expect(words).toContainText('1 of 2 members carrying traffic');
      await expect(words).toContainText(/eno2: no link/);
      await shootBothThemes(page, app, '66-picture-cable-pulled');
    } finally {
      await labRestore(NAME, 'eno2', e2eLab());
    }
    await refreshUntilPictureSays(page, 'bond1', '2 of 2 members carrying traffic.');
  });

  test('an LACP bond on plain switch ports: the picture shows no partner, the guidance says what to change', async ({ app, lab }) => {
    test.setTimeout(300_000);
    const { page } = app;
    // eno3 and eno4 are plain bridge ports on the lab switch: nobody answers LACP there.
    const built = await guestExec(NAME, 'ip link add bond7 type bond mode 802.3ad lacp_rate fast miimon 100 && ip link set eno3 down && ip link set eno3 master bond7 && ip link set eno4 down && ip link set eno4 master bond7 && ip link set bond7 up');
    expect(built.code, built.stderr).toBe(0);
    await addLabHost(page, NAME, host(lab, NAME), 'root');
    await connectAndTrust(page, NAME, null);
    await waitForDiscovery(page, NAME);
    await refreshUntilPictureSays(page, 'bond7', 'the switch does not answer LACP');
    await expect(pictureWords(page, 'bond7')).toContainText('No LACP partner');
    const guidance = page.getByRole('region', { name: 'Switch side of bond7' });
    await expect(guidance).toContainText('one LACP port-channel');
    await expect(guidance).toContainText('sends no LACPDUs');
    await shootBothThemes(page, app, '67-picture-no-partner');
    const removed = await guestExec(NAME, 'ip link del bond7');
    expect(removed.code, removed.stderr).toBe(0);
  });
});

test.describe('Revert from the keyboard', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
  test.afterAll(async () => {
    await resetHosts(NAME);
  });

  test('Alt+R reverts an applied change while the box waits for a decision', async ({ app, lab }) => {
    test.setTimeout(300_000);
    const { page } = app;
    await addLabHost(page, NAME, host(lab, NAME), 'root');
    await connectAndTrust(page, NAME, null);
    await waitForDiscovery(page, NAME);
    const add = page.getByRole('region', { name: `Interfaces of ${NAME}` }).getByRole('button', { name: 'Add Interface' });
    await add.focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Add Interface' });
    const protocol = form.getByLabel('Link Aggregation Protocol');
    await protocol.focus();
    await page.keyboard.press('ArrowDown'); // LACP -> FAILOVER
    await expect(protocol).toHaveValue('FAILOVER');
    const available = form.getByRole('list', { name: 'Available interfaces' });
    for (const port of ['eno3', 'eno4']) {
      await available.getByRole('checkbox', { name: port, exact: true }).focus();
      await page.keyboard.press('Space');
    }
    await page.keyboard.press('Alt+s');
    await expect(page.getByRole('region', { name: 'Plan' })).toBeVisible({ timeout: 60_000 });
    await page.keyboard.press('Alt+a');
    const progress = page.getByRole('region', { name: 'Apply progress' });
    await expect(progress.getByRole('button', { name: 'Revert' })).toHaveAttribute('aria-keyshortcuts', 'Alt+R', { timeout: 120_000 });
    await expect(progress.getByRole('button', { name: 'Keep' })).toBeEnabled({ timeout: 120_000 });
    await page.keyboard.press('Alt+r');
    await expect(progress.getByRole('alert')).toContainText('Reverted', { timeout: 60_000 });
    const left = await guestExec(NAME, 'cat /sys/class/net/bonding_masters 2>/dev/null || true');
    expect(left.stdout).not.toMatch(/bond\d/);
  });
});
