import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/app';
import { guestExec, host, labUnavailable, resetHosts } from '../fixtures/lab';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, saveApplyAndKeep, waitForDiscovery } from './ui-steps';

// What the editor lets a person change, applied for real through the UI on both flavors and read
// back from the kernel: MTU 9000 with several aliases at once (one IPv6), then one edit that moves
// the FAILOVER primary and swaps a member (one added, one removed).

const FLAVORS = [
  { flavor: 'linux', host: 'nas1', user: 'root' as const },
  { flavor: 'truenas', host: 'nas2', user: 'admin' as const },
];

const BOND = 'bond5';

function bondRow(page: Page, label: string) {
  return interfacesTable(page, label).getByRole('row', { name: new RegExp(`details of ${BOND} `) });
}

async function kernel(name: string, command: string): Promise<string> {
  const r = await guestExec(name, command);
  return r.stdout;
}

for (const { flavor, host: name, user } of FLAVORS) {
  test.describe(`bond edits on ${flavor}`, () => {
    const unavailable = labUnavailable();
    test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
    test.afterAll(async () => {
      await resetHosts(name);
    });

    test(`MTU 9000 and three aliases (one IPv6), then the primary moved and a member swapped (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(600_000);
      const { page } = app;
      await addLabHost(page, name, host(lab, name), user);
      await connectAndTrust(page, name, null);

      const form = await openAddInterface(page, name);
      await fillBond(form, {
        name: BOND,
        protocol: 'FAILOVER',
        members: ['eno3', 'eno4'],
        aliases: [
          { address: '192.0.2.51', prefix: '24' },
          { address: '203.0.113.51', prefix: '24' },
          { address: '2001:db8:5::51', prefix: '64' },
        ],
        mtu: '9000',
      });
      await saveApplyAndKeep(page, app, `45-${flavor}-mtu-aliases`);
      await expect(async () => {
        expect((await kernel(name, `cat /sys/class/net/${BOND}/mtu`)).trim()).toBe('9000');
        const addresses = await kernel(name, `ip -o addr show dev ${BOND}`);
        for (const a of ['192.0.2.51/24', '203.0.113.51/24', '2001:db8:5::51/64']) expect(addresses).toContain(a);
      }).toPass({ timeout: 60_000, intervals: [2_000] });
      await waitForDiscovery(page, name);
      await expect(bondRow(page, name)).toContainText('9000', { timeout: 60_000 });

      // One edit: eno2 joins, eno4 moves up to first (the new primary), eno3 leaves.
      await interfacesTable(page, name).getByRole('button', { name: `Show details of ${BOND}` }).click();
      await page.getByRole('button', { name: `Edit ${BOND}` }).click();
      const edit = page.getByRole('form', { name: `Edit ${BOND}` });
      const available = edit.getByRole('list', { name: 'Available interfaces' });
      const order = edit.getByRole('list', { name: 'Member order' });
      await available.getByRole('checkbox', { name: 'eno2', exact: true }).check();
      await expect(order.getByRole('listitem')).toHaveCount(3);
      await edit.getByRole('button', { name: 'Move eno4 up' }).click();
      await expect(order.getByRole('listitem').first()).toContainText('eno4');
      await available.getByRole('checkbox', { name: 'eno3', exact: true }).uncheck();
      await expect(order.getByRole('listitem')).toHaveCount(2);
      await expect(order.getByRole('listitem').first()).toContainText('eno4');
      await expect(order.getByRole('listitem').last()).toContainText('eno2');
      await app.screenshot(`46-${flavor}-edit-members`);
      await saveApplyAndKeep(page, app, `47-${flavor}-members-swapped`);

      await expect(async () => {
        const bonding = await kernel(name, `cat /proc/net/bonding/${BOND}`);
        expect(bonding).toContain('Currently Active Slave: eno4');
        expect(bonding).toContain('Slave Interface: eno2');
        expect(bonding).not.toContain('Slave Interface: eno3');
        expect((await kernel(name, `cat /sys/class/net/${BOND}/mtu`)).trim()).toBe('9000');
      }).toPass({ timeout: 60_000, intervals: [2_000] });
      // The host view reads it back: eno3 is free again, eno2 is in the bond.
      // The port's own row: the first with that row header (the bond's open details list its members too).
      const portRow = (port: string) => interfacesTable(page, name).getByRole('row').filter({ has: page.getByRole('rowheader', { name: port, exact: true }) }).first();
      await expect(async () => {
        await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
        await expect(portRow('eno3')).not.toContainText(BOND, { timeout: 3_000 });
        await expect(portRow('eno2')).toContainText(BOND, { timeout: 3_000 });
      }).toPass({ timeout: 60_000 });
      await app.screenshot(`48-${flavor}-after-edit`);
    });
  });
}
