/**
 * The editor's History panel against the real server's version routes: name a version, keep
 * typing, find it, see the diff, restore it after the confirmation, and watch a second editor
 * converge; a viewer browses but cannot restore; the same flow with the keyboard alone.
 * Screenshots of the panel, a diff and a restored document at desktop and phone sizes.
 */
import type { Page } from '@playwright/test';
import { makeToken } from '../src/server.js';
import { editorText, expect, newUser, saveScreenshot, test } from '../src/fixtures.js';

// Each test is a long flow of real typing and round trips on a shared machine.
test.describe.configure({ timeout: 120_000 });

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

const DRAFT = 'Launch plan\nWe ship on Monday.\nAlice writes the notes.';
const LATER = '\nBob reviews on Friday.\nThe budget doubles.';

/** What the test reads of a `<quire-editor>` element. */
type EmbeddedEditor = HTMLElement & {
  editor: { view: { state: { doc: { toString(): string } } } } | null;
};

/** Types at the end of the live editor (the panel's diff is a second CodeMirror when open). */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.locator('.quire-editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text, { delay: 10 });
}

const panel = (page: Page) => page.locator('.quire-history');
const historyButton = (page: Page) => page.getByRole('button', { name: 'History', exact: true });
/** Versions in the list (the "Compare with" choices are options too, outside it). */
const versionList = (page: Page) => page.getByRole('listbox', { name: 'Versions' });
const versionOption = (page: Page, label: string) =>
  versionList(page).getByRole('option', { name: new RegExp(`“${label}”`) });

/** Presses Shift+Tab (a few times at most) until the History button has the focus. */
async function shiftTabToHistory(page: Page): Promise<void> {
  for (let presses = 0; presses < 8; presses++) {
    await page.keyboard.press('Shift+Tab');
    if (await historyButton(page).evaluate((b) => b === document.activeElement)) break;
  }
  await expect(historyButton(page)).toBeFocused();
}

/** Opens History and saves the current text under `label`; leaves the panel open. */
async function nameVersion(page: Page, label: string): Promise<string> {
  await historyButton(page).click();
  await expect(panel(page)).toBeVisible();
  await page.getByLabel('Name the current text').fill(label);
  await page.getByRole('button', { name: 'Name this version' }).click();
  const option = versionOption(page, label);
  await expect(option).toBeVisible();
  return (await option.getAttribute('data-version-id')) ?? '';
}

for (const size of SIZES) {
  test(`name a version, type more, compare and restore it (${size.name})`, async ({
    browser,
    server,
    request,
  }) => {
    const alice = await newUser(browser, server, 'Alice', '/d/launch/plan', {
      viewport: size.viewport,
    });
    const bob = await newUser(browser, server, 'Bob', '/d/launch/plan');
    await typeAtEnd(alice.page, DRAFT);
    await expect.poll(() => editorText(bob.page)).toBe(DRAFT);
    await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', 'saved');

    const id = await nameVersion(alice.page, 'Sent for review');
    await alice.page.keyboard.press('Escape');
    await expect(panel(alice.page)).toBeHidden();
    await typeAtEnd(alice.page, LATER);
    await expect.poll(() => editorText(bob.page)).toBe(DRAFT + LATER);

    await historyButton(alice.page).click();
    const option = versionOption(alice.page, 'Sent for review');
    await expect(option).toBeVisible();
    await expect(alice.page.locator('.quire-history-day').first()).toHaveText('Today');
    await option.click();
    await expect(option).toHaveAttribute('aria-selected', 'true');
    await expect(alice.page.locator('.quire-history-diff-title')).toHaveText(/^Changes since /);
    // The version lacks the two later lines: the diff marks them as added.
    await expect(alice.page.locator('.quire-history-diff .cm-insertedLine').first()).toBeVisible();
    await expect(alice.page.locator('.quire-history-summary')).toHaveText(
      /^1 change: \d+ characters added, 0 characters removed\.$/,
    );
    await saveScreenshot(alice.page, `history-panel-${size.name}`);

    // The diff follows the live text: what Bob types now shows up in it.
    await typeAtEnd(bob.page, '\nCarol joins.');
    await expect.poll(() => editorText(alice.page)).toContain('Carol joins.');
    await expect(alice.page.locator('.quire-history-diff')).toContainText('Carol joins.');
    await saveScreenshot(alice.page, `history-diff-${size.name}`);

    await alice.page.getByRole('button', { name: /^Restore the version of / }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Restore this version?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await saveScreenshot(alice.page, `history-confirm-${size.name}`);
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();

    await expect(panel(alice.page)).toBeHidden();
    await expect(alice.page.locator('.quire-history-announcer')).toHaveText(/^Version restored/);
    const versionText = await request.get(
      `${server.url}/api/docs/launch/plan/versions/${encodeURIComponent(id)}/text`,
    );
    expect(versionText.status()).toBe(200);
    expect(await versionText.text()).toBe(DRAFT);
    await expect.poll(() => editorText(alice.page)).toBe(DRAFT);
    await expect.poll(() => editorText(bob.page)).toBe(DRAFT);
    // Nobody was disconnected, and both keep editing the restored text.
    await typeAtEnd(bob.page, '\nAfter the restore.');
    await expect.poll(() => editorText(alice.page)).toBe(`${DRAFT}\nAfter the restore.`);
    await expect(alice.page.locator('.quire-status')).toHaveAttribute('data-status', 'saved');
    await saveScreenshot(alice.page, `history-restored-${size.name}`);

    // The text before the restore was kept as a version of its own; compare the two versions.
    await historyButton(alice.page).click();
    const beforeRestore = versionList(alice.page).getByRole('option', {
      name: /saved before a restore/,
    });
    await expect(beforeRestore).toHaveCount(1);
    await versionOption(alice.page, 'Sent for review').click();
    await beforeRestore.click({ modifiers: ['Shift'] });
    await expect(beforeRestore).toHaveAttribute('aria-selected', 'true');
    await expect(alice.page.locator('.quire-history-diff-title')).toHaveText(
      /^Changes from today, .+ to today, .+$/,
    );
    await expect(alice.page.locator('.quire-history-diff')).toContainText('Carol joins.');
    await expect(alice.page.locator('.quire-history-summary')).toHaveText(
      /^1 change: \d+ characters added, 0 characters removed\.$/,
    );
    await saveScreenshot(alice.page, `history-compare-${size.name}`);
  });
}

test.describe('with access tokens', () => {
  const SECRET = 'e2e-secret-that-is-long-enough-0123456789';
  test.use({ serverArgs: ['--secret', SECRET] });

  test('a viewer browses and compares versions but cannot restore or name one', async ({
    browser,
    server,
    request,
  }) => {
    const rw = makeToken(SECRET, 'minutes', 'rw', { name: 'Alice' });
    const ro = makeToken(SECRET, 'minutes', 'ro', { name: 'Viewer' });
    const alice = await newUser(browser, server, 'Alice', `/d/minutes?token=${rw}`);
    const viewer = await newUser(browser, server, 'Viewer', `/d/minutes?token=${ro}`, {
      viewport: { width: 1280, height: 800 },
    });
    await typeAtEnd(alice.page, 'Minutes of Monday.');
    const id = await nameVersion(alice.page, 'Approved');
    await alice.page.keyboard.press('Escape');
    await typeAtEnd(alice.page, ' Amended later.');
    await expect.poll(() => editorText(viewer.page)).toBe('Minutes of Monday. Amended later.');

    await historyButton(viewer.page).click();
    const option = versionOption(viewer.page, 'Approved');
    await option.click();
    await expect(viewer.page.locator('.quire-history-summary')).toHaveText(/^1 change: /);
    const restore = viewer.page.getByRole('button', { name: /^Restore the version of / });
    await expect(restore).toBeDisabled();
    await expect(viewer.page.getByRole('button', { name: 'Name this version' })).toBeDisabled();
    await expect(viewer.page.locator('.quire-history-note')).toHaveText(
      /View only: you can browse and compare versions, but not name or restore them\./,
    );
    await saveScreenshot(viewer.page, 'history-viewer-desktop');

    // The server refuses it too: the disabled button is a courtesy, the token is the rule.
    const refused = await request.post(
      `${server.url}/api/docs/minutes/versions/${encodeURIComponent(id)}/restore`,
      { headers: { Authorization: `Bearer ${ro}`, 'Content-Type': 'application/json' }, data: {} },
    );
    expect(refused.status()).toBe(403);
    expect(await editorText(alice.page)).toBe('Minutes of Monday. Amended later.');
  });
});

test('the keyboard alone opens History, picks a version, restores it and closes', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/keys', {
    viewport: { width: 1280, height: 800 },
  });
  const bob = await newUser(browser, server, 'Bob', '/d/keys');
  const page = alice.page;
  await typeAtEnd(page, 'First line.');
  await nameVersion(page, 'One line');
  await page.keyboard.press('Escape');
  await typeAtEnd(page, '\nSecond line.');
  await expect.poll(() => editorText(bob.page)).toBe('First line.\nSecond line.');

  // From the text, Shift+Tab walks back through the toolbar (it comes before the text) to the
  // History button; the buttons after it (Preview, the shortcut list) come first.
  await shiftTabToHistory(page);
  await page.keyboard.press('Enter');
  const list = versionList(page);
  await expect(list).toBeFocused();
  await expect(versionOption(page, 'One line')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await page.keyboard.press('Home');
  await expect(page.locator('.quire-history-diff-title')).toHaveText(/^Changes since /);

  // Tab: the "Compare with" list, the diff, then the restore button.
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Compare with')).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const restore = page.getByRole('button', { name: /^Restore the version of / });
  await expect(restore).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Restore this version?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // Escape in the dialog answers "no" and keeps the panel open, focus back on the button.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(panel(page)).toBeVisible();
  await expect(restore).toBeFocused();

  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Restore', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(panel(page)).toBeHidden();
  await expect.poll(() => editorText(page)).toBe('First line.');
  await expect.poll(() => editorText(bob.page)).toBe('First line.');
  await expect(page.locator('.quire-editor .cm-content')).toBeFocused();

  // Escape closes the panel and gives focus back to the History button.
  await shiftTabToHistory(page);
  await page.keyboard.press('Enter');
  await expect(list).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(panel(page)).toBeHidden();
  await expect(historyButton(page)).toBeFocused();
});

test('<quire-editor> on a plain page opens History over the page when the element is small', async ({
  browser,
  server,
}) => {
  const visitor = await newUser(browser, server, 'Visitor', '/embed.html', {
    viewport: { width: 1280, height: 800 },
  });
  const page = visitor.page;
  const left = page.locator('#left');
  const right = page.locator('#right');
  await left.locator('.quire-editor .cm-content').click();
  await page.keyboard.type('Embedded text.', { delay: 10 });
  await left.getByRole('button', { name: 'History', exact: true }).click();
  await left.getByLabel('Name the current text').fill('Embedded');
  await left.getByRole('button', { name: 'Name this version' }).click();
  await expect(
    left.getByRole('listbox', { name: 'Versions' }).getByRole('option', { name: /“Embedded”/ }),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await right.locator('.quire-editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' Grace adds this.', { delay: 10 });

  await left.getByRole('button', { name: 'History', exact: true }).click();
  // The element is 20rem high: the panel is a sheet over the page, not squeezed inside it.
  await expect(left.locator('.quire-history')).toHaveClass(/quire-history-overlay/);
  await expect(left.locator('.quire-history-diff')).toContainText('Grace adds this.');
  await saveScreenshot(page, 'history-embed-desktop');
  await left.getByRole('button', { name: /^Restore the version of / }).click();
  await left.getByRole('dialog').getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(left.locator('.quire-history')).toBeHidden();
  for (const side of [left, right]) {
    await expect
      .poll(() => side.evaluate((el) => (el as EmbeddedEditor).editor?.view.state.doc.toString()))
      .toBe('Embedded text.');
  }
});
