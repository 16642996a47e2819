import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures/app';
import { host, labUnavailable, resetHosts } from '../fixtures/lab';
import { linuxFacts, spec, withBond } from '../kit/host-facts';
import { planBondChange } from '../../main/drivers/plan-change';
import type { AuditEntry } from '../../preload/contract';
import { addLabHost, connectAndTrust, fillBond, interfacesTable, openAddInterface, saveApplyAndKeep, waitForDiscovery } from './ui-steps';

// History and restore through the UI, on both flavors: a bond made and then edited, the history
// of the host read, the edit opened with its diff, and the bond put back as it was before the edit
// through the ordinary plan, apply and Keep. Then the history view over 10,000 entries.

const FLAVORS = [
  { flavor: 'linux', host: 'nas1', user: 'root' as const },
  { flavor: 'truenas', host: 'nas2', user: 'admin' as const },
];

function bondRow(page: Page, label: string, bond: string) {
  return interfacesTable(page, label).getByRole('row', { name: new RegExp(`details of ${bond} `) });
}

async function keepAppliedPlan(page: Page): Promise<void> {
  const plan = page.getByRole('region', { name: 'Plan' });
  await plan.getByRole('button', { name: 'Apply with rollback' }).click();
  const progress = page.getByRole('region', { name: 'Apply progress' });
  const keep = progress.getByRole('button', { name: 'Keep' });
  await expect(keep).toBeEnabled({ timeout: 120_000 });
  await expect(progress.getByRole('list', { name: 'Verification checks' })).not.toContainText('✗');
  await keep.click();
  await expect(progress.getByRole('alert')).toContainText('Change kept', { timeout: 60_000 });
  await progress.getByRole('button', { name: 'Done' }).click();
}

for (const { flavor, host: name, user } of FLAVORS) {
  test.describe(`history and restore on ${flavor}`, () => {
    const unavailable = labUnavailable();
    test.skip(unavailable !== null, `lab unavailable: ${unavailable ?? ''}`);
    test.afterAll(async () => {
      await resetHosts(name);
    });

    test(`a bond edited, then put back as it was before the edit (${flavor})`, async ({ app, lab }) => {
      test.setTimeout(600_000);
      const { page } = app;
      await addLabHost(page, name, host(lab, name), user);
      await connectAndTrust(page, name, null);

      const form = await openAddInterface(page, name);
      await fillBond(form, { name: 'bond6', description: 'backup link', protocol: 'FAILOVER', members: ['eno3', 'eno4'], aliases: [{ address: '192.0.2.60', prefix: '24' }] });
      await saveApplyAndKeep(page, null, `70-${flavor}`);
      await waitForDiscovery(page, name);
      await expect(bondRow(page, name, 'bond6')).toContainText('1500', { timeout: 60_000 });

      const details = interfacesTable(page, name).getByRole('button', { name: 'Show details of bond6' });
      await details.click();
      await page.getByRole('button', { name: 'Edit bond6' }).click();
      const edit = page.getByRole('form', { name: 'Edit bond6' });
      await edit.getByLabel('MTU', { exact: true }).fill('9000');
      await saveApplyAndKeep(page, null, `70-${flavor}-edit`);
      await expect(async () => {
        await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
        await expect(bondRow(page, name, 'bond6')).toContainText('9000', { timeout: 3_000 });
      }).toPass({ timeout: 60_000 });

      // The host's history: both changes, newest first, kept.
      await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'History' }).click();
      const list = page.getByRole('table', { name: 'Changes' });
      await expect(list.getByRole('row')).toHaveCount(3, { timeout: 30_000 });
      const rows = list.getByRole('row');
      await expect(rows.nth(1)).toContainText('edit bond6');
      await expect(rows.nth(1)).toContainText('kept');
      await expect(rows.nth(2)).toContainText('create bond6');
      await expect(page.getByRole('heading', { name: `History of ${name}` })).toBeVisible();
      await app.screenshot(`71-${flavor}-history-list`);

      // The edit opened: MTU changed from the default to 9000, the rest the same.
      await rows.nth(1).getByRole('button').first().click();
      const entry = page.getByRole('region', { name: 'History entry' });
      const diff = entry.getByRole('table', { name: 'Configuration before and after' });
      await expect(diff.getByRole('row', { name: /MTU/ })).toContainText('default');
      await expect(diff.getByRole('row', { name: /MTU/ })).toContainText('9000');
      await expect(diff.getByRole('row', { name: /Interfaces/ })).toContainText('eno3 (primary), eno4');
      await expect(entry.getByRole('list', { name: 'Checks' })).toBeVisible();
      await app.screenshot(`72-${flavor}-history-entry-diff`);

      // Restore: an ordinary plan on today's host, with what differs said.
      await entry.getByRole('button', { name: 'Put bond6 back as it was before' }).click();
      const notes = page.getByRole('region', { name: 'Restore from history' });
      await expect(notes).toContainText('MTU: 9000 today → default as recorded', { timeout: 60_000 });
      const plan = page.getByRole('region', { name: 'Plan' });
      await expect(plan.getByRole('list', { name: 'Impact' })).toContainText('A rollback is armed on the box first');
      await expect(plan).toContainText('update bond6');
      await app.screenshot(`73-${flavor}-restore-plan`);
      await keepAppliedPlan(page);
      await expect(async () => {
        await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
        await expect(bondRow(page, name, 'bond6')).toContainText('1500', { timeout: 3_000 });
      }).toPass({ timeout: 60_000 });

      // The restore is in the history too, saying what it restored.
      await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'History' }).click();
      await expect(list.getByRole('row')).toHaveCount(4, { timeout: 30_000 });
      await expect(list.getByRole('row').nth(1)).toContainText('restore bond6 (as before a change)');
      await list.getByRole('row').nth(1).getByRole('button').first().click();
      await expect(entry).toContainText('Restore of');
      await expect(entry.getByRole('table', { name: 'Configuration before and after' }).getByRole('row', { name: /MTU/ })).toContainText('default');
      await app.screenshot(`74-${flavor}-history-after-restore`);

      // A restore nobody confirms: the edit's "after" (MTU 9000) with a 15 s window, never kept.
      await list.getByRole('row').nth(2).getByRole('button').first().click();
      await entry.getByLabel('Rollback timeout (seconds)').fill('15');
      await entry.getByRole('button', { name: 'As it was after' }).click();
      await expect(page.getByRole('region', { name: 'Restore from history' })).toContainText('MTU: default today → 9000 as recorded', { timeout: 60_000 });
      await page.getByRole('region', { name: 'Plan' }).getByRole('button', { name: 'Apply with rollback' }).click();
      const progress = page.getByRole('region', { name: 'Apply progress' });
      await expect(progress.getByRole('alert')).toContainText('rolled back to its previous configuration', { timeout: 150_000 });
      await progress.getByRole('button', { name: 'Done' }).click();
      await expect(async () => {
        await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'Refresh' }).click();
        await expect(bondRow(page, name, 'bond6')).toContainText('1500', { timeout: 3_000 });
      }).toPass({ timeout: 60_000 });
      await page.getByRole('region', { name: `Connection to ${name}` }).getByRole('button', { name: 'History' }).click();
      await expect(list.getByRole('row')).toHaveCount(5, { timeout: 60_000 });
      await expect(list.getByRole('row').nth(1)).toContainText('restore bond6 (as after a change)');
      await expect(list.getByRole('row').nth(1)).toContainText('rolled back on the box');
      await app.screenshot(`76-${flavor}-history-restore-rolled-back`);
    });
  });
}

/** 10,000 entries as the log keeps them (with plans and both states), in files of at most 32 MiB, and one damaged line. */
async function seedAuditLog(dataDir: string, count: number): Promise<void> {
  const before = linuxFacts();
  const after = withBond(before);
  const planned = planBondChange({ hostId: 'h1', facts: before, action: 'create', spec: spec({ name: 'bond1', members: ['eno2', 'eno3'] }), options: { runId: 'create-seed' } });
  if (!planned.ok) throw new Error('no plan');
  const results = ['confirmed', 'confirmed', 'confirmed', 'rolled-back', 'reverted', 'failed'] as const;
  const messages = {
    confirmed: 'Change kept: checks passed and the rollback was cancelled.',
    'rolled-back': 'Not confirmed within 60 s: the box rolled back to its previous configuration on its own.',
    reverted: 'Reverted: the previous configuration is back.',
    failed: 'Verification failed: bond1 has 1 member, expected 2; the box rolled back.',
  } as const;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const files: string[][] = [[]];
  let size = 0;
  for (let i = 0; i < count; i++) {
    const n = i % 50;
    const entry: AuditEntry = {
      time: new Date(start + i * 60_000 + 9_000).toISOString(),
      startedAt: new Date(start + i * 60_000).toISOString(),
      hostId: `host${n}`,
      hostLabel: `nas${n + 1}`,
      address: `198.51.100.${10 + n}:22`,
      localUser: 'alice',
      remoteUser: 'root',
      action: (['create', 'update', 'delete'] as const)[i % 3] ?? 'create',
      bondName: `bond${i % 4}`,
      result: results[i % results.length] ?? 'confirmed',
      message: messages[results[i % results.length] ?? 'confirmed'],
      plan: planned.plan,
      stateBefore: before,
      stateAfter: after,
      steps: [],
      checks: [{ name: 'Members', ok: true, detail: 'eno2, eno3' }],
    };
    const line = `${JSON.stringify(entry)}\n`;
    if (size + line.length > 32 * 1024 * 1024) {
      files.push([]);
      size = 0;
    }
    files[files.length - 1]?.push(line);
    size += line.length;
  }
  files[files.length - 1]?.push('{"time": "2026-02-01T00:00:00Z", "hostId": torn\n');
  await mkdir(dataDir, { recursive: true });
  for (const [k, lines] of files.entries()) {
    const fileName = k === files.length - 1 ? 'audit.jsonl' : `audit-20260101T0000${String(k).padStart(2, '0')}000Z.jsonl`;
    await writeFile(join(dataDir, fileName), lines.join(''));
  }
}

test.describe('history with 10,000 entries', () => {
  test('the first rows show quickly; damaged lines are listed as damaged', async ({ app }) => {
    test.setTimeout(180_000);
    const { page } = app;
    await seedAuditLog(app.dataDir, 10_000);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'History', exact: true }).click();
    const list = page.getByRole('table', { name: 'Changes' });
    await expect(list.getByRole('row').nth(1)).toBeVisible({ timeout: 60_000 });
    const firstRowsMs = Date.now() - t0;
    const figures = page.getByRole('status', { name: 'History figures' });
    await expect(figures).toContainText('100 of 10001 entries');
    console.log(`[history] 10,000 entries: first rows after ${firstRowsMs} ms (click to rows visible); the view says: ${await figures.textContent()}`);
    await expect(list.getByRole('row', { name: /damaged/ })).toContainText('not valid JSON');
    await expect(page.getByRole('status').filter({ hasText: 'could not be read as entries' })).toBeVisible();

    // Filtered: one host's rolled-back changes (the index answers without reading the files again).
    const t1 = Date.now();
    await page.getByRole('combobox', { name: 'Filter by result' }).selectOption('rolled-back');
    await expect(figures).toContainText(/of 1668 entries/);
    console.log(`[history] filtered to rolled back: ${Date.now() - t1} ms; ${await figures.textContent()}`);
    await app.screenshot('75-history-10000-entries');
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(figures).toContainText('200 of 1668 entries');
  });
});
