import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';

test('two users type at the same time in one document and converge', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/team/plan');
  const bob = await newUser(browser, server, 'Bob', '/d/team/plan');
  for (const user of [alice, bob]) {
    await expect(user.page.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);
  }

  await Promise.all([
    typeInEditor(alice.page, 'Alice writes the first line. '),
    typeInEditor(bob.page, 'Bob adds his part at the same time. '),
  ]);

  for (const user of [alice, bob]) {
    await expect
      .poll(() => editorText(user.page))
      .toMatch(/(?=.*Alice writes the first line\.)(?=.*Bob adds his part at the same time\.)/s);
  }
  expect(await editorText(alice.page)).toBe(await editorText(bob.page));
});

test("each user sees the other's named caret and both in the presence list", async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/carets');
  const bob = await newUser(browser, server, 'Bob', '/d/carets');
  await typeInEditor(alice.page, 'Hello from Alice.\n');
  await typeInEditor(bob.page, 'And hello from Bob.');

  await expect(alice.page.locator('.cm-ySelectionInfo', { hasText: 'Bob' })).toBeVisible();
  await expect(bob.page.locator('.cm-ySelectionInfo', { hasText: 'Alice' })).toBeVisible();
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Bob']);
  await expect(bob.page.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice']);
  await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);

  // Bring Alice's caret next to Bob's text so both carets are in the picture.
  await alice.page.locator('.cm-content').click();
  await alice.page.keyboard.press('Control+Home');
  await saveScreenshot(alice.page, 'two-users-alice');
  await saveScreenshot(bob.page, 'two-users-bob');
});

test("undo reverts only your own typing, never the other user's", async ({ browser, server }) => {
  const alice = await newUser(browser, server, 'Alice', '/d/undo');
  const bob = await newUser(browser, server, 'Bob', '/d/undo');
  await typeInEditor(alice.page, 'mine ');
  await expect.poll(() => editorText(bob.page)).toBe('mine ');
  await typeInEditor(bob.page, 'theirs');
  await expect.poll(() => editorText(alice.page)).toBe('mine theirs');

  await alice.page.locator('.cm-content').click();
  await alice.page.keyboard.press('Control+z');
  await expect.poll(() => editorText(alice.page)).toBe('theirs');
  await expect.poll(() => editorText(bob.page)).toBe('theirs');
});
