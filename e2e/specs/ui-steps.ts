import { expect, type Page } from '@playwright/test';
import type { LabHostStatus } from '../lab/lab';

// What an administrator does, step by step, written once for every spec.

export async function addLabHost(page: Page, label: string, h: LabHostStatus, user: 'root' | 'admin' = 'root'): Promise<void> {
  await page.getByRole('button', { name: '+ Add host' }).click();
  const form = page.getByRole('form', { name: 'Add host' });
  await form.getByLabel('Label', { exact: true }).fill(label);
  await form.getByLabel('Address', { exact: true }).fill(h.ssh.host);
  await form.getByLabel('Port', { exact: true }).fill(String(h.ssh.port));
  await form.getByLabel('User', { exact: true }).fill(user);
  await form.getByLabel('Authentication', { exact: true }).selectOption('key');
  await form.getByLabel('Key file', { exact: true }).fill(h.keyPath);
  if (user !== 'root') await form.getByLabel('Use sudo for changes (non-root user)').check();
  await form.getByRole('button', { name: 'Add host' }).click();
  await expect(page.getByRole('heading', { name: label, exact: true })).toBeVisible();
}

/** Connect, check the fingerprint shown is the one the lab's sshd has, and trust it. */
export async function connectAndTrust(page: Page, label: string, expectedFingerprint: string | null): Promise<void> {
  const connection = page.getByRole('region', { name: `Connection to ${label}` });
  await connection.getByRole('button', { name: 'Connect' }).click();
  const prompt = connection.getByRole('alertdialog', { name: 'Confirm host key' });
  await expect(prompt).toBeVisible();
  if (expectedFingerprint) await expect(prompt).toContainText(expectedFingerprint);
  await prompt.getByRole('button', { name: 'Trust this host key' }).click();
  await expect(connection.getByRole('status', { name: 'Connection: Connected' })).toBeVisible({ timeout: 30_000 });
}

export function interfacesTable(page: Page, label: string) {
  return page.getByRole('region', { name: `Interfaces of ${label}` }).getByRole('table', { name: 'Interfaces' });
}
