import { expect, test } from '../fixtures/app';
import { host, labUnavailable } from '../fixtures/lab';
import { addLabHost, connectAndTrust, fillBond, openAddInterface } from './ui-steps';

// Every bad input of the bond editor gets its message next to its field, and nothing reaches the
// host: no plan is made, so no command runs.

test.describe('bond editor: bad input', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);

  test('each bad field shows its own message and no plan is made', async ({ app, lab }) => {
    const { page } = app;
    await addLabHost(page, 'nas1', host(lab, 'nas1'));
    await connectAndTrust(page, 'nas1', null);
    const form = await openAddInterface(page, 'nas1');
    const save = form.getByRole('button', { name: 'Save' });
    const planRegion = page.getByRole('region', { name: 'Plan' });

    // Nothing chosen at all, a bad name, a description one character too long, an MTU out of range.
    await form.getByLabel('Name', { exact: true }).fill('eth0');
    await form.getByLabel('Description', { exact: true }).fill('x'.repeat(121));
    await form.getByLabel('MTU', { exact: true }).fill('9217');
    await save.click();
    await expect(form.getByLabel('Name', { exact: true })).toHaveAccessibleDescription('Name must be "bond" followed by a number, for example bond0');
    await expect(form.getByLabel('Description', { exact: true })).toHaveAccessibleDescription('Description has at most 120 characters');
    await expect(form.getByLabel('MTU', { exact: true })).toHaveAccessibleDescription('MTU must be between 68 and 9216');
    await expect(form.getByRole('group', { name: 'Interfaces (members)' })).toContainText('Choose at least one member interface');
    await app.screenshot('20-editor-errors');

    // Malformed address, prefix out of range, the same address twice.
    await fillBond(form, {
      name: 'bond1',
      description: `it's "quoted" $(reboot) \`id\` — ünïcødé`,
      protocol: 'LACP',
      members: ['eno1', 'eno2'],
      aliases: [
        { address: '192.0.2.300', prefix: '24' },
        { address: '192.0.2.10', prefix: '33' },
        { address: '2001:db8::10', prefix: '64' },
        { address: '2001:DB8:0::10', prefix: '64' },
      ],
      mtu: '1500',
    });
    await save.click();
    await expect(form.getByLabel('IP address 1', { exact: true })).toHaveAccessibleDescription('"192.0.2.300" is not an IPv4 or IPv6 address');
    await expect(form.getByLabel('Prefix length 2', { exact: true })).toHaveAccessibleDescription('Prefix length must be between 1 and 32');
    await expect(form.getByLabel('IP address 4', { exact: true })).toHaveAccessibleDescription('2001:DB8:0::10 is listed twice');
    await expect(form.getByLabel('Description', { exact: true })).not.toHaveAccessibleDescription(/at most/);
    await expect(planRegion).toHaveCount(0);

    // An address in another interface's network (the management network of ens3) is checked by main
    // against the host, and comes back next to its field.
    for (let i = 4; i >= 2; i--) await form.getByRole('button', { name: `Remove IP address ${i}` }).click();
    await form.getByLabel('IP address 1', { exact: true }).fill('198.51.100.77');
    await form.getByLabel('Prefix length 1', { exact: true }).fill('24');
    await save.click();
    await expect(form.getByLabel('IP address 1', { exact: true })).toHaveAccessibleDescription(/198\.51\.100\./);
    await expect(planRegion).toHaveCount(0);
    await app.screenshot('21-editor-overlap-error');

    // The management NIC is offered but marked; a port carrying the session is flagged before choosing it.
    await expect(form.getByRole('list', { name: 'Available interfaces' }).getByRole('listitem').filter({ hasText: 'ens3' })).toContainText('carries this SSH session');

    // Fixed: a valid spec with a hostile description produces a plan, where the description travels quoted.
    await form.getByLabel('IP address 1', { exact: true }).fill('192.0.2.10');
    await save.click();
    await expect(planRegion).toBeVisible();
    await expect(planRegion.getByRole('list', { name: 'Remote operations' })).toContainText('bond1');
    await app.screenshot('22-plan');
  });
});
