import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../fixtures/app';
import { host, labUnavailable } from '../fixtures/lab';
import { connectAndTrust, interfacesTable, waitForDiscovery } from './ui-steps';

// Hosts as admins already have them in ~/.ssh/config, and two hosts managed side by side.

test.describe('import from ssh config, two hosts side by side', () => {
  const unavailable = labUnavailable();
  test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);

  test('imports both lab hosts from an ssh config file and works on both at once', async ({ app, lab }) => {
    const { page } = app;
    const nas1 = host(lab, 'nas1');
    const nas2 = host(lab, 'nas2');
    const dir = await mkdtemp(join(tmpdir(), 'bs-sshconfig-'));
    const config = join(dir, 'config');
    await writeFile(
      config,
      [
        '# lab boxes',
        'Host nas1',
        '  HostName 127.0.0.1',
        `  Port ${nas1.ssh.port}`,
        '  User root',
        `  IdentityFile ${nas1.keyPath}`,
        '',
        'Host nas2',
        '  HostName 127.0.0.1',
        `  Port ${nas2.ssh.port}`,
        '  User admin',
        `  IdentityFile ${nas2.keyPath}`,
        '',
        'Host *',
        '  ServerAliveInterval 30',
        '',
      ].join('\n'),
    );

    await page.getByRole('button', { name: 'Import from SSH config' }).click();
    const panel = page.getByRole('region', { name: 'Import from SSH config' });
    await panel.getByLabel('Config file').fill(config);
    await panel.getByRole('button', { name: 'Read hosts' }).click();
    const found = panel.getByRole('list', { name: 'Hosts found' });
    await expect(found.getByRole('listitem')).toHaveCount(2);
    await expect(found).toContainText(`admin@127.0.0.1:${nas2.ssh.port}`);
    await app.screenshot('40-import-ssh-config');
    await panel.getByRole('button', { name: 'Add selected hosts' }).click();
    await expect(panel.getByRole('list', { name: 'Import results' })).toContainText('nas2: added');

    const sidebar = page.getByRole('navigation', { name: 'Hosts' });
    await sidebar.getByRole('button', { name: /nas1/ }).click();
    await connectAndTrust(page, 'nas1', null);
    await sidebar.getByRole('button', { name: /nas2/ }).click();
    await connectAndTrust(page, 'nas2', null);
    await waitForDiscovery(page, 'nas2');
    await expect(interfacesTable(page, 'nas2').getByRole('rowheader', { name: /^eno1/ })).toBeVisible();
    // Both sessions stay live side by side.
    await expect(sidebar.getByRole('button', { name: /nas1/ }).getByRole('status')).toHaveAccessibleName('Connection: Connected');
    await expect(sidebar.getByRole('button', { name: /nas2/ }).getByRole('status')).toHaveAccessibleName('Connection: Connected');
    await sidebar.getByRole('button', { name: /nas1/ }).click();
    await waitForDiscovery(page, 'nas1');
    await expect(interfacesTable(page, 'nas1').getByRole('rowheader', { name: /^eno4/ })).toBeVisible();
    await app.screenshot('41-two-hosts');
  });
});
