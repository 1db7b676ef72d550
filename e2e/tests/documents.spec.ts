/**
 * The document list as a person uses it (one server for the file): titles in the list and the
 * tab, a server-side search kept in the URL (back/forward), sorting, paging with "Load more",
 * rename (an open editor follows to the new name), delete with a confirmation and Undo, and
 * restore from "Recently deleted".
 */
import type { Page } from '@playwright/test';
import { expect, newUser, saveScreenshot, test, typeInEditor } from '../src/fixtures.js';
import { startServer, type ServerHandle } from '../src/server.js';

let server: ServerHandle;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.dispose();
});

async function create(name: string, text: string): Promise<void> {
  const res = await fetch(`${server.url}/api/docs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, text }),
  });
  expect(res.status).toBe(201);
}

const listed = (page: Page) => page.locator('#doc-list li .demo-doc-main > :first-child');

test('titles show in the list and the tab; search is server-side and kept in the URL', async ({
  browser,
}) => {
  await create('fruit/apple', '# Apple pie recipe\n\nflour');
  await create('fruit/banana', 'Banana bread, first line\nmore');
  await create('veg/carrot', '# Carrot soup');
  const alice = await newUser(browser, server, 'Alice', '/');
  const home = alice.page;
  await expect(home.locator('#doc-list li', { hasText: 'Apple pie recipe' })).toContainText(
    'fruit/apple',
  );
  await expect(
    home.locator('#doc-list a', { hasText: 'Banana bread, first line' }),
  ).toHaveAttribute('href', '/d/fruit/banana');

  await home.locator('#doc-search').fill('RECIPE');
  await expect(listed(home)).toHaveText(['Apple pie recipe']);
  await expect(home).toHaveURL(/\?q=RECIPE$/);
  await home.locator('#doc-search').fill('soup');
  await expect(listed(home)).toHaveText(['Carrot soup']);
  await saveScreenshot(home, 'documents-search');
  await home.goBack();
  await expect(home).toHaveURL(`${server.url}/`);
  await expect(home.locator('#doc-search')).toHaveValue('');
  await expect(listed(home)).toHaveText([
    'Carrot soup',
    'Banana bread, first line',
    'Apple pie recipe',
  ]);
  await home.goForward();
  await expect(listed(home)).toHaveText(['Carrot soup']);

  // The tab follows the first heading as it is typed; the URL stays the name.
  await home.goto(`${server.url}/d/veg/carrot`);
  await expect(home).toHaveTitle('Carrot soup · Quire');
  await home.locator('.cm-content').click();
  await home.keyboard.press('Control+Home');
  await home.keyboard.type('# Tomato\n', { delay: 10 });
  await expect(home).toHaveTitle('Tomato · Quire');
  await expect(home).toHaveURL(/\/d\/veg\/carrot$/);
});

test('sorts by name or last change and pages with Load more', async ({ browser }) => {
  for (const n of [3, 1, 5, 2, 4]) await create(`paged/p${n}`, `# Paged ${n}`);
  const alice = await newUser(browser, server, 'Alice', '/?q=paged&limit=2');
  const home = alice.page;
  await expect(listed(home)).toHaveText(['Paged 4', 'Paged 2']);
  await home.getByRole('button', { name: 'Load more' }).click();
  await expect(listed(home)).toHaveText(['Paged 4', 'Paged 2', 'Paged 5', 'Paged 1']);
  await home.getByRole('button', { name: 'Load more' }).click();
  await expect(listed(home)).toHaveCount(5);
  await expect(home.getByRole('button', { name: 'Load more' })).toBeHidden();
  await home.locator('#doc-sort').selectOption('name');
  await expect(home).toHaveURL(/sort=name/);
  await expect(listed(home)).toHaveText(['Paged 1', 'Paged 2']);
  await home.getByRole('button', { name: 'Load more' }).click();
  await expect(listed(home)).toHaveText(['Paged 1', 'Paged 2', 'Paged 3', 'Paged 4']);
});

test('rename moves an open editor along; delete asks, then Undo and Restore bring it back', async ({
  browser,
}) => {
  await create('team/draft', '# Launch plan');
  await create('team/old-notes', 'old notes');
  const alice = await newUser(browser, server, 'Alice', '/?q=team/');
  const bob = await newUser(browser, server, 'Bob', '/d/team/draft');
  await typeInEditor(bob.page, '\nBob was here.');
  const home = alice.page;

  await home.getByRole('button', { name: 'Rename Launch plan' }).click();
  const dialog = home.getByRole('dialog', { name: 'Rename document' });
  await dialog.getByLabel('New name').fill('team/old-notes');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog.getByRole('alert')).toContainText('exists already');
  await dialog.getByLabel('New name').fill('team/launch');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(dialog).toBeHidden();
  await expect(home.locator('#doc-list li', { hasText: 'Launch plan' })).toContainText(
    'team/launch',
  );
  // Bob's editor followed the document to its new name, with what he typed.
  await expect(bob.page).toHaveURL(/\/d\/team\/launch$/);
  await expect(bob.page.locator('.cm-content')).toContainText('Bob was here.');

  await home.getByRole('button', { name: 'Delete old notes' }).click();
  const confirm = home.getByRole('dialog', { name: 'Delete document?' });
  await expect(confirm).toBeVisible();
  await saveScreenshot(home, 'documents-delete-confirm');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(home.locator('#demo-toast')).toContainText('Deleted');
  await expect(listed(home)).toHaveText(['Launch plan']);
  await home.locator('#demo-toast').getByRole('button', { name: 'Undo' }).click();
  await expect(listed(home)).toHaveText(['Launch plan', 'old notes']);

  // Deleted again, then restored later from "Recently deleted".
  await home.getByRole('button', { name: 'Delete old notes' }).click();
  await home.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(listed(home)).toHaveText(['Launch plan']);
  await home.getByRole('button', { name: 'Recently deleted' }).click();
  await expect(home).toHaveURL(/view=deleted/);
  await expect(listed(home)).toHaveText(['old notes']);
  await home.getByRole('button', { name: 'Restore old notes' }).click();
  await expect(home.locator('#demo-toast')).toContainText('Restored');
  await expect(listed(home)).toHaveCount(0);
  await home.getByRole('button', { name: 'All documents' }).click();
  await expect(listed(home)).toHaveText(['Launch plan', 'old notes']);
});
