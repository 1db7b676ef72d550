/**
 * Look and feel as a person meets it: the app follows the system's light/dark setting and the
 * theme choice survives a reload; a collaborator's caret and selection stand out from the
 * background in both themes; caret labels stay hidden until hovered or until that person moves;
 * clicking a person in the presence list jumps to them and follows them until you scroll or
 * press Esc. The collaborator is a stock y-websocket client driven from here (src/peer.ts), so
 * the test can put their cursor exactly at line 180.
 */
import type { Page } from '@playwright/test';
import { startPeer, type Peer } from '../src/peer.js';
import { expect, newUser, saveScreenshot, statusOf, test } from '../src/fixtures.js';

test.describe.configure({ timeout: 90_000 });

const SAM = { name: 'Sam', color: '#0550ae' };

/** `rgb(r, g, b)` → relative luminance (WCAG). */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((c) => {
    const s = Number(c) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const style = (page: Page, selector: string, property: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);

const samCaret = (page: Page) => page.locator('.cm-ySelectionCaret', { hasText: 'Sam' });
const samLabel = (page: Page) => samCaret(page).locator('.cm-ySelectionInfo');

test('dark mode follows the system, the theme choice is remembered, and carets stay readable in both', async ({
  browser,
  server,
}) => {
  const text = 'Launch plan\nWe ship on Monday.\nAlice writes the notes.\n';
  const sam: Peer = await startPeer(server.url, 'look/themes', SAM);
  try {
    sam.text.insert(0, text);
    sam.moveTo(text.indexOf('Monday') + 6, text.indexOf('ship'));
    const alice = await newUser(browser, server, 'Alice', '/d/look/themes', {
      colorScheme: 'dark',
    });
    const page = alice.page;
    await expect(statusOf(page)).toHaveAttribute('data-status', /online|saved/);
    await expect(page.locator('.quire')).toHaveAttribute('data-theme', 'dark');
    await expect(samCaret(page)).toHaveCount(1);

    for (const scheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // Live, without a reload: the page and the editor inside it.
      await expect(page.locator('.quire')).toHaveAttribute('data-theme', scheme);
      const pageBg = await style(page, 'html', 'background-color');
      const editorBg = await style(page, '.cm-editor', 'background-color');
      expect(luminance(pageBg) < 0.2).toBe(scheme === 'dark');
      expect(luminance(editorBg) < 0.2).toBe(scheme === 'dark');
      expect(contrast(await style(page, '.cm-content', 'color'), editorBg)).toBeGreaterThan(7);
      // Sam's caret (a dark blue) is lifted on the dark editor; the label text reads on it.
      const caret = await style(page, '.cm-ySelectionCaret', 'border-left-color');
      expect(contrast(caret, editorBg)).toBeGreaterThanOrEqual(3);
      const labelBg = await style(page, '.cm-ySelectionInfo', 'background-color');
      const labelFg = await style(page, '.cm-ySelectionInfo', 'color');
      expect(contrast(labelFg, labelBg)).toBeGreaterThanOrEqual(4.5);
      // The selection tint differs from the background, and the text on it keeps its contrast.
      const selection = await style(page, '.cm-ySelection', 'background-color');
      expect(selection).not.toBe(editorBg);
      await saveScreenshot(page, `look-system-${scheme}`);
    }

    // The toggle wins over the system (now light) and survives a reload.
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(page.locator('.quire')).toHaveAttribute('data-theme', 'dark');
    await page.reload();
    await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
    await expect(page.locator('.quire')).toHaveAttribute('data-theme', 'dark');
    expect(luminance(await style(page, 'html', 'background-color'))).toBeLessThan(0.2);
    await saveScreenshot(page, 'look-toggle-dark-after-reload');
    // "System" hands control back.
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('auto');
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
    await expect(page.locator('.quire')).toHaveAttribute('data-theme', 'light');
  } finally {
    sam.destroy();
  }
});

test('caret labels: hidden until hovered, shown for a moment after that person moves or types', async ({
  browser,
  server,
}) => {
  const sam = await startPeer(server.url, 'look/labels', SAM);
  try {
    sam.text.insert(0, 'One line of text for the caret label test.\n');
    const alice = await newUser(browser, server, 'Alice', '/d/look/labels');
    const page = alice.page;
    await expect(statusOf(page)).toHaveAttribute('data-status', /online|saved/);
    sam.moveTo(4);
    await expect(samCaret(page)).toHaveCount(1);
    const opacity = () => samLabel(page).evaluate((el) => getComputedStyle(el).opacity);
    // Shown after the move, then out of the way of the text.
    await expect.poll(opacity).toBe('1');
    await expect.poll(opacity, { timeout: 10_000 }).toBe('0');
    // Hovering the caret shows it at any time.
    await samCaret(page).hover();
    await expect.poll(opacity).toBe('1');
    await saveScreenshot(page, 'look-caret-label-hover');
    await page.mouse.move(600, 600);
    await expect.poll(opacity).toBe('0');
    // Typing shows it again (typing alone does not change a Yjs cursor: remote-carets.ts).
    sam.typeAt(4, 'more ');
    await expect.poll(opacity).toBe('1');
  } finally {
    sam.destroy();
  }
});

test('click a person to jump to their cursor and follow it; scrolling or Esc stops following', async ({
  browser,
  server,
}) => {
  const lines = Array.from({ length: 240 }, (_, i) => `Line ${i + 1} of a long document.`);
  const text = `${lines.join('\n')}\n`;
  const lineStart = (n: number) => text.indexOf(`Line ${n} of`);
  const sam = await startPeer(server.url, 'look/follow', SAM);
  try {
    sam.text.insert(0, text);
    sam.moveTo(lineStart(3));
    const alice = await newUser(browser, server, 'Alice', '/d/look/follow');
    const page = alice.page;
    await expect(statusOf(page)).toHaveAttribute('data-status', /online|saved/);
    const scrollTop = () =>
      page.evaluate(() => document.querySelector('.cm-scroller')?.scrollTop ?? -1);
    const samInView = () =>
      page.evaluate(() => {
        const caret = document.querySelector<HTMLElement>('.cm-ySelectionCaret');
        const scroller = document.querySelector('.cm-scroller');
        if (!caret || !scroller) return false;
        const c = caret.getBoundingClientRect();
        const s = scroller.getBoundingClientRect();
        return c.top >= s.top && c.bottom <= s.bottom;
      });
    /** The text of the line Sam's caret is drawn on (only lines near the view are drawn). */
    const samsLine = () =>
      page.evaluate(
        () => document.querySelector('.cm-ySelectionCaret')?.closest('.cm-line')?.textContent ?? '',
      );
    /** Sam's cursor as this page last received it. */
    const samsCursor = () =>
      page.evaluate(() => {
        // The demo's editor (doc-page.ts); only its awareness is read here.
        type Awareness = { clientID: number; getStates(): Map<number, { cursor?: unknown }> };
        const q = (window as unknown as { quire?: { awareness: Awareness } }).quire;
        const states = q ? [...q.awareness.getStates()] : [];
        const sam = states.find(([id]) => id !== q?.awareness.clientID);
        return JSON.stringify(sam?.[1].cursor ?? null);
      });

    const samButton = page.getByRole('button', { name: 'Sam' });
    await expect(samButton).toHaveAttribute('title', /follow/);
    const indicator = page.locator('.quire-following');
    await expect(indicator).toBeHidden();

    // Sam jumps far down: nothing moves yet, Alice is not following.
    sam.moveTo(lineStart(150));
    await expect.poll(samInView).toBe(false);
    expect(await scrollTop()).toBe(0);

    // Click Sam: the view jumps to Sam, and the bar says how to stop.
    await samButton.click();
    await expect(indicator).toBeVisible();
    await expect(indicator).toContainText('Following Sam — press Esc or scroll to stop');
    await expect(samButton).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(samInView).toBe(true);
    await saveScreenshot(page, 'look-following');

    // Sam moves on, further down: the view follows.
    sam.moveTo(lineStart(230));
    await expect
      .poll(async () => (await samsLine()).includes('Line 230 of') && (await samInView()))
      .toBe(true);

    // Alice scrolls: following stops, and Sam's next move leaves her view alone.
    await page.locator('.cm-scroller').hover();
    await page.mouse.wheel(0, -2000);
    await expect(indicator).toBeHidden();
    await expect(samButton).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(samInView).toBe(false);
    const afterScroll = await scrollTop();
    const before = await samsCursor();
    sam.moveTo(lineStart(5));
    await expect.poll(samsCursor).not.toBe(before);
    expect(await samInView()).toBe(false);
    expect(await scrollTop()).toBe(afterScroll);

    // Follow again, then Esc stops it.
    await samButton.click();
    await expect(indicator).toBeVisible();
    await expect.poll(samInView).toBe(true);
    await page.keyboard.press('Escape');
    await expect(indicator).toBeHidden();
  } finally {
    sam.destroy();
  }
});
