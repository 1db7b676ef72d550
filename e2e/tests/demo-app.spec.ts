import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';

test('the home page lists documents and creates a new one at /d/<name>', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/existing-doc');
  await typeInEditor(alice.page, 'Something to list.');
  await expect.poll(() => editorText(alice.page)).toBe('Something to list.');

  const home = await alice.reopen('/');
  // The link reads the document's title once the server has it (after the typing pause, or at
  // once when the last editor leaves, as reopening does), else its name: find it by its item.
  const listed = home.locator('#doc-list li', { hasText: 'existing-doc' });
  await expect(listed.locator('a').first()).toHaveAttribute('href', '/d/existing-doc');
  await home.locator('#new-doc-name').fill('fresh/ideas');
  await home.getByRole('button', { name: 'Create' }).click();
  await expect(home).toHaveURL(/\/d\/fresh\/ideas$/);
  await expect(home.locator('.demo-doc-title')).toHaveText('fresh/ideas');
  await expect(home.locator('.cm-content')).toBeVisible();
});

test('the copy-link button puts the document URL on the clipboard', async ({ browser, server }) => {
  const alice = await newUser(browser, server, 'Alice', '/d/share-me', {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  await alice.page.getByRole('button', { name: 'Copy link' }).click();
  await expect(alice.page.getByText('Link copied.')).toBeVisible();
  const copied = await alice.page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(`${server.url}/d/share-me`);
});

test('the display name is editable, remembered, and shown to others live', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/rename');
  const bob = await newUser(browser, server, 'Bob', '/d/rename');
  await expect(bob.page.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice']);
  await typeInEditor(alice.page, 'Signed, Alice');
  await expect(bob.page.locator('.cm-ySelectionInfo')).toHaveText('Alice');

  await alice.page.locator('#display-name').fill('Alice <b>Liddell</b>');
  await alice.page.locator('#display-name').press('Enter');
  await expect(bob.page.locator('.quire-presence li').nth(1)).toHaveText('Alice <b>Liddell</b>');
  // The caret label follows the rename, and the name is text, never markup.
  await expect(bob.page.locator('.cm-ySelectionInfo')).toHaveText('Alice <b>Liddell</b>');
  await expect(bob.page.locator('.quire-presence b, .cm-editor b')).toHaveCount(0);

  const again = await alice.reopen('/d/rename');
  await expect(again.locator('#display-name')).toHaveValue('Alice <b>Liddell</b>');
});

test('the embedding page runs two <quire-editor> elements that edit together', async ({
  browser,
  server,
}) => {
  const visitor = await newUser(browser, server, 'Visitor', '/embed.html');
  const page = visitor.page;
  const left = page.locator('#left');
  const right = page.locator('#right');
  await expect(left.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);
  await expect(right.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);

  await left.locator('.cm-content').click();
  await page.keyboard.type('Typed in the left editor.');
  await expect(right.locator('.cm-line').first()).toHaveText(/Typed in the left editor\./);
  await right.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Answered on the right.');
  await expect(left.locator('.cm-line').first()).toHaveText(/Answered on the right\./);

  await expect(left.locator('.quire-presence li')).toHaveText(['Ada (you)', 'Grace']);
  await expect(right.locator('.quire-presence li')).toHaveText(['Grace (you)', 'Ada']);
  await saveScreenshot(page, 'embed-two-editors');
});
