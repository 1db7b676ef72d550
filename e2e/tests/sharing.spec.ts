/**
 * Sharing as a person does it: in a token session, "Copy link" never carries your own token;
 * Share… mints a view-only link (1 hour … 30 days) that opens read-only and cannot edit; on a
 * server without a secret, Share says that view-only links need one. The clipboard is read
 * back through navigator.clipboard, with the permissions granted to the context.
 */
import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  test,
  typeInEditor,
} from '../src/fixtures.js';
import { makeToken, startServer, type ServerHandle } from '../src/server.js';

const SECRET = 'e2e-share-secret-long-enough-0123456789';
const clipboard = { permissions: ['clipboard-read', 'clipboard-write'] };

let secured: ServerHandle;
let open: ServerHandle;
test.beforeAll(async () => {
  [secured, open] = await Promise.all([startServer(['--secret', SECRET]), startServer()]);
});
test.afterAll(async () => {
  await Promise.all([secured?.dispose(), open?.dispose()]);
});

test('a minted view-only link opens read-only; your own token is never in a copied link', async ({
  browser,
}) => {
  const rw = makeToken(SECRET, 'plans/*', 'rw');
  const alice = await newUser(browser, secured, 'Alice', `/d/plans/q3?token=${rw}`, clipboard);
  const page = alice.page;
  await typeInEditor(page, '# Q3 plan\nShip it.');
  await expect(page.locator('.demo-share-note')).toContainText('leave out your access token');

  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied.')).toBeVisible();
  const plain = await page.evaluate(() => navigator.clipboard.readText());
  expect(plain).toBe(`${secured.url}/d/plans/q3`);
  expect(plain).not.toContain(rw);

  await page.getByRole('button', { name: 'Share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share a link' });
  await expect(dialog.getByLabel('View only')).toBeChecked();
  await dialog.getByLabel('Link works for').selectOption({ label: '7 days' });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog.getByLabel('View-only link')).toHaveValue(/\/d\/plans\/q3\?token=/);
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByText('Link copied.')).toBeVisible();
  await saveScreenshot(page, 'sharing-view-only-link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await dialog.getByLabel('View-only link').inputValue());
  expect(link).not.toContain(rw);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  const viewer = await newUser(browser, { url: '' }, 'Viewer', link);
  await expect(viewer.page.locator('.quire-readonly')).toBeVisible();
  await expect(viewer.page.locator('.cm-content')).toHaveAttribute('contenteditable', 'false');
  await expect.poll(() => editorText(viewer.page)).toBe('# Q3 plan\nShip it.');
  await expect(viewer.page).toHaveTitle('Q3 plan · Quire');
  // A write that bypasses the UI is refused by the server and never reaches Alice.
  await viewer.page.evaluate(() => {
    const view = (window.quire as unknown as { view: { dispatch(tr: object): void } }).view;
    view.dispatch({ changes: { from: 0, insert: 'HACKED ' } });
  });
  await expect(viewer.page.locator('.quire-status')).toContainText('refused an edit');
  await typeInEditor(page, ' Now.');
  await expect.poll(() => editorText(viewer.page)).toContain('Now.');
  expect(await editorText(page)).toBe('# Q3 plan\nShip it. Now.');
  // The viewer's link cannot mint anything.
  await viewer.page.getByRole('button', { name: 'Share…' }).click();
  await viewer.page.getByRole('dialog').getByRole('button', { name: 'Create link' }).click();
  await expect(viewer.page.getByRole('dialog')).toContainText('cannot share this document');
});

test('without a secret, Share explains that view-only links need one', async ({ browser }) => {
  const alice = await newUser(browser, open, 'Alice', '/d/open-doc', clipboard);
  await alice.page.getByRole('button', { name: 'Share…' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Share a link' });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog).toContainText('need a server started with a secret');
  await expect(dialog).toContainText('?view=1');
  await saveScreenshot(alice.page, 'sharing-open-mode');
});
