import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, SCREENSHOT_DIR, startBrowserMode, test } from '../fixtures/app';
import { CHROMIUM_ARGS, chromiumPath } from '../fixtures/chromium';
import { guestExec, host, labUnavailable, resetHosts } from '../fixtures/lab';
import { AUDIT_RESULT_TEXT } from '../../preload/contract/history';
import type { BrowserModeServer } from '../kit/browser-mode';
import { addLabHost, connectAndTrust, fillBond, openAddInterface, waitForDiscovery } from './ui-steps';

// The app killed during the countdown (SIGKILL of browser mode: nothing of it runs after that), the
// box rolls back on its own, and the app started again on the same data directory: on connect the
// host view says once what became of that change, and the audit log has it.

const FLAVORS = [
  { flavor: 'linux', name: 'nas1', user: 'root' as const, bond: 'bond6', address: '192.0.2.16' },
  { flavor: 'truenas', name: 'nas2', user: 'admin' as const, bond: 'bond7', address: '192.0.2.17' },
];

async function openApp(browser: Browser, server: BrowserModeServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  const page = await context.newPage();
  await page.goto(server.url);
  return page;
}

for (const { flavor, name, user, bond, address } of FLAVORS) {
  test.describe(`a change whose app was killed, on ${flavor}`, () => {
    const unavailable = labUnavailable();
    test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
    test.afterAll(async () => {
      await resetHosts(name);
    });

    test(`killed during the countdown, started again: the host view says the box rolled it back, once (${flavor})`, async ({ lab, playwright }, testInfo) => {
      test.setTimeout(420_000);
      const shot = (page: Page, shotName: string) => page.screenshot({ path: join(SCREENSHOT_DIR, `${testInfo.project.name}-${shotName}.png`), fullPage: true });
      const dataDir = await mkdtemp(join(tmpdir(), 'bondsmith-e2e-recovery-'));
      const browser = await playwright.chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
      let server = await startBrowserMode(dataDir);
      try {
        let page = await openApp(browser, server);
        const h = host(lab, name);
        await addLabHost(page, name, h, user);
        await connectAndTrust(page, name, null);
        const form = await openAddInterface(page, name);
        await fillBond(form, { name: bond, protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address, prefix: '24' }] });
        await page.getByLabel('Rollback timeout (seconds)').fill('20');
        await form.getByRole('button', { name: 'Save' }).click();
        const plan = page.getByRole('region', { name: 'Plan' });
        await expect(plan).toBeVisible({ timeout: 60_000 });
        await plan.getByRole('button', { name: 'Apply with rollback' }).click();
        await expect(page.getByRole('region', { name: 'Apply progress' }).getByRole('timer', { name: 'Rollback countdown' })).toBeVisible({ timeout: 90_000 });

        // Killed inside the window, then the box's own rollback: the bond is gone, nothing armed.
        await new Promise<void>((resolve) => {
          server.child.once('exit', () => resolve());
          server.child.kill('SIGKILL');
        });
        await page.context().close();
        await expect(async () => {
          const r = await guestExec(name, `test -e /proc/net/bonding/${bond} && echo present; ls /run/bondsmith/*/armed 2>/dev/null; midclt call interface.has_pending_changes 2>/dev/null; true`);
          expect(r.stdout).not.toMatch(/present|armed|True/);
        }).toPass({ timeout: 120_000, intervals: [2_000] });

        server = await startBrowserMode(dataDir);
        page = await openApp(browser, server);
        await page.getByRole('navigation', { name: 'Hosts' }).getByRole('button', { name: new RegExp(name) }).click();
        const connection = page.getByRole('region', { name: `Connection to ${name}` });
        await connection.getByRole('button', { name: 'Connect' }).click();
        await expect(connection.getByRole('status', { name: 'Connection: Connected' })).toBeVisible({ timeout: 30_000 });
        await waitForDiscovery(page, name);
        const notice = page.getByRole('region', { name: `Interfaces of ${name}` }).getByRole('status', { name: 'Unfinished change recorded' });
        await expect(notice).toBeVisible({ timeout: 30_000 });
        await expect(notice).toContainText(`Create ${bond}`);
        await expect(notice).toContainText(/Rolled back on the box: Bondsmith (stopped while it was applying|was not running inside the confirmation window)/);
        await expect(notice).toHaveCount(1);
        await shot(page, `70-${flavor}-recovered-notice`);

        await notice.getByRole('button', { name: 'Dismiss' }).click();
        await expect(notice).toHaveCount(0);
        await connection.getByRole('button', { name: 'Refresh' }).click();
        await waitForDiscovery(page, name);
        await expect(connection.getByRole('button', { name: 'Refresh' })).toBeEnabled();
        await expect(notice).toHaveCount(0);

        // The history has the change too, as the box ended it: rolled back on the box.
        await connection.getByRole('button', { name: 'History' }).click();
        const row = page.getByRole('table', { name: 'Changes' }).getByRole('row', { name: new RegExp(`create ${bond}`) });
        await expect(row).toHaveCount(1, { timeout: 30_000 });
        await expect(row).toContainText(AUDIT_RESULT_TEXT['rolled-back']);
        await page.context().close();
      } finally {
        server.child.kill('SIGTERM');
        await browser.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
