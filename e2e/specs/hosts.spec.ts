import { expect, test } from '../fixtures/app';

test.describe('host inventory', () => {
  test('adds a host through the UI and still sees it after a reload', async ({ app }) => {
    const { page } = app;
    await expect(page.getByRole('heading', { name: 'Welcome to Bondsmith' })).toBeVisible();
    await app.screenshot('01-welcome');
    await page.getByRole('button', { name: '+ Add host' }).click();
    const form = page.getByRole('form', { name: 'Add host' });
    await form.getByLabel('Label', { exact: true }).fill('nas-office');
    await form.getByLabel('Address', { exact: true }).fill('nas1.example.test');
    await form.getByLabel('Port', { exact: true }).fill('2222');
    await form.getByLabel('User', { exact: true }).fill('admin');
    await form.getByLabel('Tags', { exact: true }).fill('office, rack2');
    await app.screenshot('02-add-host-filled');
    await form.getByRole('button', { name: 'Add host' }).click();

    const hosts = page.getByRole('navigation', { name: 'Hosts' });
    await expect(hosts.getByRole('button', { name: /nas-office/ })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'nas-office' })).toBeVisible();
    await app.screenshot('03-host-added');

    await page.reload();
    await expect(hosts.getByRole('button', { name: /nas-office/ })).toBeVisible();
    await hosts.getByRole('button', { name: /nas-office/ }).click();
    const detail = page.getByRole('region', { name: 'Host nas-office' });
    await expect(detail.getByText('nas1.example.test:2222')).toBeVisible();
    await expect(detail.getByText('office, rack2')).toBeVisible();
  });

  test('shows each bad field next to the field and saves nothing', async ({ app }) => {
    const { page } = app;
    await page.getByRole('button', { name: '+ Add host' }).click();
    const form = page.getByRole('form', { name: 'Add host' });
    await form.getByLabel('Label', { exact: true }).fill('x'.repeat(65));
    await form.getByLabel('Port', { exact: true }).fill('70000');
    await form.getByLabel('User', { exact: true }).fill('bad user');
    await form.getByRole('button', { name: 'Add host' }).click();
    await expect(form.getByLabel('Label', { exact: true })).toHaveAccessibleDescription('Label has at most 64 characters');
    await expect(form.getByLabel('Address', { exact: true })).toHaveAccessibleDescription('Address is required');
    await expect(form.getByLabel('Port', { exact: true })).toHaveAccessibleDescription('Port must be between 1 and 65535');
    await expect(form.getByLabel('User', { exact: true })).toHaveAccessibleDescription('User names have no spaces and start with a letter or "_"');
    await app.screenshot('04-add-host-errors');

    // A key path that does not exist is checked by main (it needs the file system) and lands next to its field.
    await form.getByLabel('Label', { exact: true }).fill('nas2');
    await form.getByLabel('Address', { exact: true }).fill('nas2.example.test');
    await form.getByLabel('Port', { exact: true }).fill('22');
    await form.getByLabel('User', { exact: true }).fill('root');
    await form.getByLabel('Authentication', { exact: true }).selectOption('key');
    await form.getByLabel('Key file', { exact: true }).fill('/nonexistent/id_ed25519');
    await form.getByRole('button', { name: 'Add host' }).click();
    await expect(form.getByLabel('Key file', { exact: true })).toHaveAccessibleDescription('No key file at /nonexistent/id_ed25519');
    await expect(page.getByRole('navigation', { name: 'Hosts' })).toContainText('No hosts yet.');
  });
});
