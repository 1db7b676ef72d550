import { makeToken } from '../src/server.js';
import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';

const SECRET = 'e2e-secret-that-is-long-enough-0123456789';
test.use({ serverArgs: ['--secret', SECRET] });

test('a read-only token gives a view that updates live but cannot write', async ({
  browser,
  server,
}) => {
  const rw = makeToken(SECRET, 'board', 'rw');
  const ro = makeToken(SECRET, 'board', 'ro');
  const alice = await newUser(browser, server, 'Alice', `/d/board?token=${rw}`);
  const viewer = await newUser(browser, server, 'Viewer', `/d/board?token=${ro}`);
  await expect(viewer.page.locator('.quire-readonly')).toBeVisible();
  await expect(viewer.page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');

  await typeInEditor(alice.page, 'Agenda by Alice.');
  await expect.poll(() => editorText(viewer.page)).toBe('Agenda by Alice.');
  await expect(viewer.page.locator('.cm-ySelectionInfo', { hasText: 'Alice' })).toBeVisible();
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Viewer']);

  // Even a write that bypasses the UI is refused by the server and never reaches Alice.
  await viewer.page.evaluate(() => {
    const view = (window.quire as unknown as { view: { dispatch(tr: object): void } }).view;
    view.dispatch({ changes: { from: 0, insert: 'HACKED ' } });
  });
  await expect(viewer.page.locator('.quire-status')).toContainText('refused an edit');
  await typeInEditor(alice.page, ' Item one.');
  await expect.poll(() => editorText(viewer.page)).toContain('Item one.');
  expect(await editorText(alice.page)).toBe('Agenda by Alice. Item one.');
  await saveScreenshot(viewer.page, 'read-only-token-viewer');
});

test('an expired token (close 4401) stops reconnecting and says why', async ({
  browser,
  server,
}) => {
  const shortLived = makeToken(SECRET, 'expiring', 'rw', { ttlSeconds: 1 });
  let sockets = 0;
  const alice = await newUser(browser, server, 'Alice', '/');
  alice.page.on('websocket', () => sockets++);
  await alice.page.goto(`${server.url}/d/expiring?token=${shortLived}`);
  await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);

  // exp + the server's clock tolerance, then the next session sweep.
  await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', 'denied', {
    timeout: 20_000,
  });
  await expect(alice.page.locator('.quire-status')).toContainText('expired');
  await expect(alice.page.locator('.quire-announcer')).toContainText('expired');
  // Typing now could never be saved: the editor stops taking it.
  await expect(alice.page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');
  await expect(alice.page.locator('.cm-placeholder')).toHaveText('Nothing written yet.');
  const afterClose = sockets;
  await alice.page.waitForTimeout(3_000);
  expect(sockets).toBe(afterClose);
  await saveScreenshot(alice.page, 'token-expired');
});

test('a token for another document is refused at once with a clear message, not "offline"', async ({
  browser,
  server,
}) => {
  const otherDoc = makeToken(SECRET, 'someone-else', 'rw');
  let sockets = 0;
  const alice = await newUser(browser, server, 'Alice', '/');
  alice.page.on('websocket', () => sockets++);
  await alice.page.goto(`${server.url}/d/private-plan?token=${otherDoc}`);
  // The upgrade is refused with HTTP 403, which the browser only reports as 1006; the editor
  // asks the server's access probe and shows why.
  await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', 'denied');
  await expect(alice.page.locator('.quire-status')).toContainText('No access');
  await expect(alice.page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');
  const afterRefusal = sockets;
  await alice.page.waitForTimeout(3_000);
  expect(sockets).toBe(afterRefusal);
  await saveScreenshot(alice.page, 'token-wrong-document');
});
