import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';

const status = (page: Page) => page.locator('.quire-status');

/** Copies every file of the server's data directory (SQLite database, WAL) into `to`. */
function copyFiles(from: string, to: string): void {
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
}

// ADVERSARIAL F8: the server's storage goes back to an old backup while editors stay open.
test('storage restored from an old backup: the editor restores what was lost and says so, and the server logs it', async ({
  browser,
  server,
}) => {
  const doc = '/d/quarterly-plan';
  const alice = await newUser(browser, server, 'Alice', doc);
  await typeInEditor(alice.page, 'Written before the backup.');
  await expect(status(alice.page)).toHaveAttribute('data-status', 'saved');

  // The backup: taken with the server stopped, so the files are consistent.
  const backup = mkdtempSync(join(tmpdir(), 'quire-e2e-backup-'));
  try {
    await server.kill();
    copyFiles(server.dataDir, backup);
    await server.restart();
    await expect(status(alice.page)).toHaveAttribute('data-status', 'saved', { timeout: 20_000 });

    await typeInEditor(alice.page, ' Written after it.');
    await expect(status(alice.page)).toHaveAttribute('data-status', 'saved');
    await expect(alice.page.locator('.quire-notice')).toBeHidden();

    // Disaster recovery gone wrong: the old backup replaces the current database.
    await server.kill();
    for (const name of readdirSync(server.dataDir)) rmSync(join(server.dataDir, name));
    copyFiles(backup, server.dataDir);
    await server.restart();
  } finally {
    rmSync(backup, { recursive: true, force: true });
  }

  await expect(alice.page.locator('.quire-notice')).toContainText(
    'The server had lost recent changes',
    { timeout: 20_000 },
  );
  await expect(status(alice.page)).toHaveAttribute('data-status', 'saved');
  expect(await editorText(alice.page)).toBe('Written before the backup. Written after it.');
  // Someone opening the document now gets all of it, from the server.
  const bob = await newUser(browser, server, 'Bob', doc);
  await expect
    .poll(() => editorText(bob.page))
    .toBe('Written before the backup. Written after it.');
  await expect(bob.page.locator('.quire-notice')).toBeHidden();
  // The operator's side: one error line naming the document.
  await expect.poll(() => server.output()).toMatch(/storage lost edits.*quarterly-plan/);
  await saveScreenshot(alice.page, 'rollback-restored');
});
