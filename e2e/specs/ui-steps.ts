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

/** The interfaces table once discovery has answered (TrueNAS discovery also asks the middleware). */
export async function waitForDiscovery(page: Page, label: string): Promise<void> {
  await expect(page.getByRole('region', { name: `Interfaces of ${label}` })).toBeVisible({ timeout: 60_000 });
}

export function interfacesTable(page: Page, label: string) {
  return page.getByRole('region', { name: `Interfaces of ${label}` }).getByRole('table', { name: 'Interfaces' });
}

/** Open Add Interface → Link Aggregation for a connected host. */
export async function openAddInterface(page: Page, label: string) {
  await waitForDiscovery(page, label);
  await page.getByRole('region', { name: `Interfaces of ${label}` }).getByRole('button', { name: 'Add Interface' }).click();
  const form = page.getByRole('form', { name: 'Add Interface' });
  await expect(form).toBeVisible();
  await expect(form.getByRole('list', { name: 'Available interfaces' }).getByText('eno1', { exact: true })).toBeVisible();
  return form;
}

export interface BondFields {
  readonly name: string;
  readonly description?: string;
  readonly protocol: 'LACP' | 'FAILOVER' | 'LOADBALANCE';
  readonly xmitHashPolicy?: 'LAYER2' | 'LAYER2+3' | 'LAYER3+4';
  readonly lacpduRate?: 'SLOW' | 'FAST';
  readonly members: readonly string[];
  readonly aliases?: readonly { address: string; prefix: string }[];
  readonly mtu?: string;
}

/** Fill the editor in the seed's order: name, description, protocol and its fields, members, addresses. */
export async function fillBond(form: ReturnType<Page['getByRole']>, f: BondFields): Promise<void> {
  await form.getByLabel('Name', { exact: true }).fill(f.name);
  if (f.description !== undefined) await form.getByLabel('Description', { exact: true }).fill(f.description);
  await form.getByLabel('Link Aggregation Protocol').selectOption(f.protocol);
  if (f.xmitHashPolicy) await form.getByLabel('Transmit Hash Policy').selectOption(f.xmitHashPolicy);
  if (f.lacpduRate) await form.getByLabel('LACPDU Rate').selectOption(f.lacpduRate);
  const available = form.getByRole('list', { name: 'Available interfaces' });
  for (const m of f.members) await available.getByRole('checkbox', { name: m, exact: true }).check();
  for (const [i, a] of (f.aliases ?? []).entries()) {
    await form.getByRole('button', { name: 'Add IP address' }).click();
    await form.getByLabel(`IP address ${i + 1}`, { exact: true }).fill(a.address);
    await form.getByLabel(`Prefix length ${i + 1}`, { exact: true }).fill(a.prefix);
  }
  if (f.mtu !== undefined) await form.getByLabel('MTU', { exact: true }).fill(f.mtu);
}

/** Save → the plan is shown → apply with rollback → wait for the checks → Keep (or leave it). */
export async function saveApplyAndKeep(page: Page, shots: { screenshot(name: string): Promise<void> } | null, prefix: string, keep = true): Promise<void> {
  await page.getByRole('button', { name: 'Save' }).click();
  const plan = page.getByRole('region', { name: 'Plan' });
  await expect(plan).toBeVisible({ timeout: 60_000 });
  await expect(plan.getByRole('list', { name: 'Impact' })).toContainText('A rollback is armed on the box first');
  if (shots) await shots.screenshot(`${prefix}-plan`);
  await plan.getByRole('button', { name: 'Apply with rollback' }).click();
  const progress = page.getByRole('region', { name: 'Apply progress' });
  await expect(progress.getByRole('timer', { name: 'Rollback countdown' })).toBeVisible({ timeout: 90_000 });
  const keepButton = progress.getByRole('button', { name: 'Keep' });
  await expect(keepButton).toBeEnabled({ timeout: 120_000 });
  await expect(progress.getByRole('list', { name: 'Verification checks' })).not.toContainText('✗');
  if (shots) await shots.screenshot(`${prefix}-countdown`);
  if (!keep) return;
  await keepButton.click();
  await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
  if (shots) await shots.screenshot(`${prefix}-kept`);
  await progress.getByRole('button', { name: 'Done' }).click();
}

/** Refresh until the bond's detail shows `text` (LACP needs a few LACPDUs; a cable cut needs miimon). */
export async function refreshUntilBondShows(page: Page, label: string, bond: string, text: string | RegExp): Promise<void> {
  const table = interfacesTable(page, label);
  const toggle = table.getByRole('button', { name: new RegExp(`^(Show|Hide) details of ${bond}$`) });
  await expect(toggle).toBeVisible({ timeout: 60_000 });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const detail = page.getByRole('region', { name: `Bond ${bond} details` });
  await expect(async () => {
    await page.getByRole('region', { name: `Connection to ${label}` }).getByRole('button', { name: 'Refresh' }).click();
    await expect(detail).toContainText(text, { timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
}
