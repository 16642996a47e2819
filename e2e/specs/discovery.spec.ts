import { execFileSync } from 'node:child_process';
import { expect, test } from '../fixtures/app';
import { e2eLab } from '../fixtures/app';
import { host, labUnavailable, resetHosts } from '../fixtures/lab';
import { labExec } from '../lab/lab';
import { addLabHost, connectAndTrust, interfacesTable, waitForDiscovery } from './ui-steps';


function sshKeygenFingerprint(knownHostsLine: string | undefined): string | null {
  if (!knownHostsLine) return null;
  const out = execFileSync('ssh-keygen', ['-lf', '-'], { input: `${knownHostsLine}\n`, encoding: 'utf8' });
  return /SHA256:[A-Za-z0-9+/]+/.exec(out)?.[0] ?? null;
}

test.describe('discovery of lab hosts', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);

  test.afterAll(async () => {
    await resetHosts('nas1');
  });

  test('adds a Linux host, trusts its key and sees every port, the management NIC and LACP detail', async ({ app, lab }) => {
    const { page } = app;
    // An LACP bond built by hand (not through Bondsmith), so the UI has partner detail to show.
    const built = await labExec('nas1', 'ip link add bond9 type bond mode 802.3ad lacp_rate fast miimon 100 && ip link set eno1 down && ip link set eno1 master bond9 && ip link set eno2 down && ip link set eno2 master bond9 && ip link set bond9 up', {}, e2eLab());
    expect(built.code, built.stderr).toBe(0);
    const nas1 = host(lab, 'nas1');
    await addLabHost(page, 'nas1', nas1);
    await connectAndTrust(page, 'nas1', sshKeygenFingerprint(nas1.knownHostsLine));
    await waitForDiscovery(page, 'nas1');
    const table = interfacesTable(page, 'nas1');
    for (const port of ['eno1', 'eno2', 'eno3', 'eno4']) await expect(table.getByRole('rowheader', { name: new RegExp(`^${port}`) })).toBeVisible();
    await expect(table.getByRole('row', { name: /ens3.*management/ })).toBeVisible();
    await app.screenshot('10-interfaces-linux');

    // LACP negotiation takes a few LACPDUs: refresh until the partner is the switch.
    const bondRow = table.getByRole('button', { name: 'Show details of bond9' });
    await bondRow.click();
    const detail = page.getByRole('region', { name: 'Bond bond9 details' });
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(detail).toContainText(nas1.switch.mac, { timeout: 2_000 });
    }).toPass({ timeout: 60_000 });
    await expect(detail.getByRole('list', { name: 'Diagnosis of bond9' })).toContainText('LACP');
    const members = detail.getByRole('table', { name: 'Members of bond9' });
    await expect(members.getByRole('row', { name: /eno1/ })).toContainText(nas1.switch.mac);
    await expect(members.getByRole('row', { name: /eno2/ })).toContainText(nas1.switch.mac);
    await app.screenshot('11-lacp-detail');
  });

  test('adds a TrueNAS host as admin and sees its ports through discovery', async ({ app, lab }) => {
    const { page } = app;
    const nas2 = host(lab, 'nas2');
    await addLabHost(page, 'nas2', nas2, 'admin');
    await connectAndTrust(page, 'nas2', sshKeygenFingerprint(nas2.knownHostsLine));
    const region = page.getByRole('region', { name: 'Interfaces of nas2' });
    // Discovery on TrueNAS asks the middleware too (each midclt call starts a Python client).
    await expect(region).toContainText('TrueNAS', { timeout: 60_000 });
    for (const port of ['eno1', 'eno2', 'eno3', 'eno4']) await expect(interfacesTable(page, 'nas2').getByRole('rowheader', { name: new RegExp(`^${port}`) })).toBeVisible();
    // The middleware lists the lab's ports as PHYSICAL: the type column says what TrueNAS would.
    for (const port of ['eno1', 'eno2', 'eno3', 'eno4']) await expect(interfacesTable(page, 'nas2').getByRole('row', { name: new RegExp(`^${port}\\b`) })).toContainText('Physical');
    await app.screenshot('12-interfaces-truenas');
  });

  test('a bond ifupdown brings up on DHCP opens in the editor as DHCP, its lease not shown as a static address', async ({ app, lab }) => {
    const { page } = app;
    // Configured by hand as an admin would (not through Bondsmith); the lab switch serves the lease.
    const stanza = ['auto bond7', 'iface bond7 inet dhcp', '    bond-slaves eno3 eno4', '    bond-mode active-backup', '    bond-miimon 100', '    bond-primary eno3'];
    const write = `printf '%s\\n' ${stanza.map((l) => `'${l}'`).join(' ')} > /etc/network/interfaces.d/bond7`;
    const up = await labExec('nas1', `${write} && ifup bond7 && ip -o -4 addr show dev bond7`, { timeoutMs: 90_000 }, e2eLab());
    expect(up.code, up.stderr).toBe(0);
    const lease = /inet (192\.0\.2\.1\d\d)\//.exec(up.stdout)?.[1];
    expect(lease, up.stdout).toBeDefined();
    const nas1 = host(lab, 'nas1');
    if ((await page.getByRole('region', { name: 'Interfaces of nas1' }).count()) === 0) {
      await addLabHost(page, 'nas1', nas1);
      await connectAndTrust(page, 'nas1', sshKeygenFingerprint(nas1.knownHostsLine));
    }
    await waitForDiscovery(page, 'nas1');
    const table = interfacesTable(page, 'nas1');
    await expect(async () => {
      await page.getByRole('region', { name: 'Connection to nas1' }).getByRole('button', { name: 'Refresh' }).click();
      await expect(table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /bond7/ }) })).toContainText(`${lease ?? ''}/24 (DHCP)`, { timeout: 3_000 });
    }).toPass({ timeout: 60_000 });
    await table.getByRole('button', { name: 'Show details of bond7' }).click();
    await table.getByRole('button', { name: 'Edit bond7' }).click();
    const form = page.getByRole('form', { name: 'Edit bond7' });
    await expect(form).toBeVisible();
    await expect(form.getByRole('checkbox', { name: 'DHCP' })).toBeChecked();
    await expect(form.getByLabel('IP address 1', { exact: true })).toHaveCount(0);
    await expect(form.getByLabel('Link Aggregation Protocol')).toHaveValue('FAILOVER');
    await app.screenshot('13-editor-dhcp-bond');
  });
});
