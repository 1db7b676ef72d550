import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';

test('a read-only viewer cannot type but sees live edits and cursors', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/announcement');
  const viewer = await newUser(browser, server, 'Viewer', '/d/announcement?view=1');
  await expect(viewer.page.locator('.quire-readonly')).toBeVisible();
  await expect(viewer.page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');

  await typeInEditor(alice.page, 'Only Alice can write here.');
  await expect.poll(() => editorText(viewer.page)).toBe('Only Alice can write here.');
  await expect(viewer.page.locator('.cm-ySelectionInfo', { hasText: 'Alice' })).toBeVisible();
  await expect(viewer.page.locator('.quire-presence li')).toHaveText(['Viewer (you)', 'Alice']);

  await viewer.page.locator('.cm-content').click();
  await viewer.page.keyboard.type('viewer tries to type');
  await viewer.page.keyboard.press('Backspace');
  await typeInEditor(alice.page, ' Still live.');
  await expect.poll(() => editorText(viewer.page)).toBe('Only Alice can write here. Still live.');
  expect(await editorText(alice.page)).toBe('Only Alice can write here. Still live.');
  await expect(viewer.page.locator('.quire-status')).toHaveText('Online');
  await saveScreenshot(viewer.page, 'read-only-viewer');
});
