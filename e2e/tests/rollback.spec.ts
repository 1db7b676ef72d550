import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ServerHandle } from '../src/server.js';
import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  statusOf,
  test,
  typeInEditor,
} from '../src/fixtures.js';

/** Copies every file of the server's data directory (SQLite database, WAL) into `to`. */
function copyFiles(from: string, to: string): void {
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
}

/** A backup taken with the server stopped (so the files are consistent), then restarted. */
async function takeBackup(server: ServerHandle): Promise<string> {
  const backup = mkdtempSync(join(tmpdir(), 'quire-e2e-backup-'));
  await server.kill();
  copyFiles(server.dataDir, backup);
  await server.restart();
  return backup;
}

/** Disaster recovery gone wrong: the old backup replaces the current database. */
async function restoreBackup(server: ServerHandle, backup: string): Promise<void> {
  await server.kill();
  for (const name of readdirSync(server.dataDir)) rmSync(join(server.dataDir, name));
  copyFiles(backup, server.dataDir);
  rmSync(backup, { recursive: true, force: true });
  await server.restart();
}

const BOTH = 'Written before the backup. Written after it.';

/** Types a sentence, takes a backup, types another; both saved. Returns the backup. */
async function writeAroundBackup(page: Page, server: ServerHandle): Promise<string> {
  await typeInEditor(page, 'Written before the backup.');
  await expect(statusOf(page)).toHaveAttribute('data-status', 'saved');
  const backup = await takeBackup(server);
  await expect(statusOf(page)).toHaveAttribute('data-status', 'saved', { timeout: 20_000 });
  await typeInEditor(page, ' Written after it.');
  await expect(statusOf(page)).toHaveAttribute('data-status', 'saved');
  return backup;
}

// Threat model F8: the server's storage goes back to an old backup while editors stay open.
test('storage restored from an old backup: the editor restores what was lost and says so, and the server logs it', async ({
  browser,
  server,
}) => {
  const doc = '/d/quarterly-plan';
  const alice = await newUser(browser, server, 'Alice', doc);
  const backup = await writeAroundBackup(alice.page, server);
  await expect(alice.page.locator('.quire-notice')).toBeHidden();
  await restoreBackup(server, backup);

  await expect(alice.page.locator('.quire-notice')).toContainText(
    'The server had lost recent changes',
    { timeout: 20_000 },
  );
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'saved');
  expect(await editorText(alice.page)).toBe(BOTH);
  // Someone opening the document now gets all of it, from the server.
  const bob = await newUser(browser, server, 'Bob', doc);
  await expect.poll(() => editorText(bob.page)).toBe(BOTH);
  await expect(bob.page.locator('.quire-notice')).toBeHidden();
  // The operator's side: one error line naming the document.
  await expect.poll(() => server.output()).toMatch(/storage lost edits.*quarterly-plan/);
  await saveScreenshot(alice.page, 'rollback-restored');
});

test('the loss is noticed by an editor opened again after the restore, from what its last page kept', async ({
  browser,
  server,
}) => {
  const doc = '/d/kept-across-reloads';
  const alice = await newUser(browser, server, 'Alice', doc);
  const backup = await writeAroundBackup(alice.page, server);
  // The acknowledged state is written to IndexedDB at most once a second.
  await alice.page.waitForTimeout(1_500);
  await alice.page.close();

  await restoreBackup(server, backup);
  const page = await alice.reopen(doc);
  await expect(page.locator('.quire-notice')).toContainText('The server had lost recent changes');
  await expect(statusOf(page)).toHaveAttribute('data-status', 'saved');
  expect(await editorText(page)).toBe(BOTH);
  await expect.poll(() => server.output()).toMatch(/storage lost edits.*kept-across-reloads/);
});
