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

  await typeInEditor(alice.page, 'Alice:\nBob:');
  await expect.poll(() => editorText(bob.page)).toBe('Alice:\nBob:');

  // Each on their own line, typing at the same moment, character by character.
  await alice.page.keyboard.press('Control+Home');
  await alice.page.keyboard.press('End');
  await bob.page.locator('.cm-content').click();
  await bob.page.keyboard.press('Control+End');
  await Promise.all([
    alice.page.keyboard.type(' the first line, typed concurrently.', { delay: 15 }),
    bob.page.keyboard.type(' the second line, at the same time.', { delay: 15 }),
  ]);

  const expected =
    'Alice: the first line, typed concurrently.\nBob: the second line, at the same time.';
  for (const user of [alice, bob]) {
    await expect.poll(() => editorText(user.page)).toBe(expected);
  }
  expect(await editorText(alice.page)).toBe(await editorText(bob.page));
  // Shown only once the server's durable state vector (persisted ack) covers each document.
  for (const user of [alice, bob]) {
    await expect(user.page.locator('.quire-status')).toHaveAttribute('data-status', 'saved');
    await expect(user.page.locator('.quire-status')).toHaveText('All changes saved');
  }
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
  await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', 'saved');

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
  // Typing splits into undo steps at pauses (a slow machine makes more of them), so Alice undoes
  // until nothing of hers is left, and then some more: Bob's text must survive every one.
  for (let i = 0; i < 8; i++) await alice.page.keyboard.press('Control+z');
  await expect.poll(() => editorText(alice.page)).toBe('theirs');
  await expect.poll(() => editorText(bob.page)).toBe('theirs');
});
