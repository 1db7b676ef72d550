/**
 * Markdown in the editor, in Chromium against the built demo app: the preview runs no script
 * and loads nothing from anywhere a document points to until the reader clicks (checked with a
 * probe HTTP server and every request the page makes), follows the editor's scroll position,
 * re-renders for remote edits; formatting keys are single undo steps; the shortcut list and the
 * find bar open from the keyboard; on a phone the preview takes the text's place.
 * One server and one signed-in person are shared by all cases.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, type Page } from '@playwright/test';
import { newUser, type User } from '../src/fixtures.js';
import { startServer, type ServerHandle } from '../src/server.js';
import { xssCorpus } from '../src/xss-corpus.js';

test.describe.configure({ mode: 'serial' });

interface ProbeHit {
  path: string;
  headers: IncomingHttpHeaders;
}

/** A 1×1 transparent PNG, so an image the reader chose to load really loads. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let server: ServerHandle;
let probe: Server;
let probeUrl: string;
const probeHits: ProbeHit[] = [];
let alice: User;

test.beforeAll(async ({ browser }) => {
  server = await startServer();
  probe = createServer((req, res) => {
    probeHits.push({ path: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
    res.end(PIXEL);
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  alice = await newUser(browser, server, 'Alice', '/d/markdown-start');
});

test.afterAll(async () => {
  await alice?.context.close();
  await new Promise((resolve) => probe?.close(resolve));
  await server?.dispose();
});

/** Replaces the document's text, as one edit (what typing it would end with). */
async function setText(page: Page, text: string): Promise<void> {
  await page.evaluate((value) => {
    const view = (
      window as unknown as {
        quire: { view: { state: { doc: { length: number } }; dispatch(spec: unknown): void } };
      }
    ).quire.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
  }, text);
}

async function openDoc(page: Page, name: string): Promise<void> {
  await page.goto(`${server.url}/d/${name}`);
  await expect(page.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);
}

test('the preview runs no script and loads nothing until the reader clicks', async () => {
  const page = alice.page;
  const requests: string[] = [];
  let dialogs = 0;
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  await openDoc(page, 'md-xss');
  await setText(page, xssCorpus(probeUrl));
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.locator('.quire-md-preview');
  await expect(preview.locator('h1')).toHaveText('XSS corpus');

  // Links that survive open in a new tab without an opener; refused ones stay text.
  await preview.getByText('raw javascript link').click();
  await expect(preview.locator('a[href]')).toHaveCount(0);
  await expect(preview.getByText('markdown javascript link')).toBeVisible();
  for (const tag of ['script', 'svg', 'iframe', 'object', 'embed', 'style', 'link', 'img']) {
    await expect(preview.locator(tag), tag).toHaveCount(0);
  }
  await expect(preview.locator('video, audio, form, input, meta, base, math')).toHaveCount(0);
  await expect(
    preview.locator('[style], [onerror], [onload], [ontoggle], [background]'),
  ).toHaveCount(0);
  const probeHost = new URL(probeUrl).host;
  await expect(preview.getByRole('button', { name: `Load image from ${probeHost}` })).toHaveCount(
    4,
  );

  // Choosing one image loads exactly that one, without telling its server where it was seen.
  await preview.locator(`button[data-quire-image="${probeUrl}/approved"]`).click();
  await expect(preview.locator(`img[src="${probeUrl}/approved"]`)).toHaveJSProperty(
    'complete',
    true,
  );
  await expect.poll(() => probeHits.map((hit) => hit.path)).toEqual(['/approved']);
  expect(probeHits[0]?.headers.referer).toBeUndefined();
  const offPage = requests.filter((url) => !url.startsWith(`${server.url}/`));
  expect(offPage).toEqual([`${probeUrl}/approved`]);
  expect(await page.evaluate(() => (window as { __quirePwned?: unknown }).__quirePwned)).toBe(
    undefined,
  );
  expect(dialogs).toBe(0);
  page.removeAllListeners('request');
});

test('a link in the preview opens in a new tab, with no opener or referrer', async () => {
  const page = alice.page;
  await setText(
    page,
    `# Links\n\nSee [the probe](${probeUrl}/linked) or mail [us](mailto:a@quire.test).`,
  );
  const link = page.locator('.quire-md-preview a', { hasText: 'the probe' });
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
  await expect(page.locator('.quire-md-preview a', { hasText: 'us' })).toHaveAttribute(
    'href',
    'mailto:a@quire.test',
  );
});

test('the preview follows the editor to a far heading, and shows remote edits', async () => {
  const page = alice.page;
  await openDoc(page, 'md-scroll');
  const sections = Array.from(
    { length: 60 },
    (_, i) =>
      `## Section ${i + 1}\n\nA paragraph about section ${i + 1}, long enough to wrap.\n\n- one\n- two\n`,
  );
  await setText(page, `# Long document\n\n${sections.join('\n')}`);
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.locator('.quire-md-preview');
  await expect(preview.locator('h2').last()).toHaveText('Section 60');

  // Scroll the text so that "## Section 45" is its top line.
  await page.evaluate(() => {
    interface View {
      state: { doc: { toString(): string } };
      dispatch(spec: unknown): void;
      constructor: { scrollIntoView(pos: number, options: unknown): unknown };
    }
    const view = (window as unknown as { quire: { view: View } }).quire.view;
    const at = view.state.doc.toString().indexOf('## Section 45');
    view.dispatch({ effects: view.constructor.scrollIntoView(at, { y: 'start', yMargin: 0 }) });
  });
  await expect(page.locator('.cm-line', { hasText: /^## Section 45$/ })).toBeInViewport();
  const heading = preview.locator('h2', { hasText: /^Section 45$/ });
  // Its heading is at the top of the preview: not above it, and not further down.
  await expect
    .poll(async () => {
      const [box, pane] = await Promise.all([heading.boundingBox(), preview.boundingBox()]);
      return box && pane ? Math.round(box.y - pane.y) : null;
    })
    .toBeGreaterThanOrEqual(0);
  const [box, pane] = await Promise.all([heading.boundingBox(), preview.boundingBox()]);
  expect((box?.y ?? 0) - (pane?.y ?? 0)).toBeLessThan(40);

  // Someone else adds a section (through the HTTP API): the preview shows it, with nobody
  // touching this page.
  const current = await page.evaluate(() => window.quire?.view.state.doc.toString() ?? '');
  const put = await page.request.put(`${server.url}/api/docs/md-scroll/text`, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    data: `${current}\n## Added elsewhere\n`,
  });
  expect(put.ok()).toBe(true);
  await expect(preview.locator('h2').last()).toHaveText('Added elsewhere');
});

test('Ctrl+B, Ctrl+I and Ctrl+K format, toggle, and undo as one step each', async () => {
  const page = alice.page;
  await openDoc(page, 'md-keys');
  const text = () => page.evaluate(() => window.quire?.view.state.doc.toString() ?? '');
  await page.locator('.cm-content').click();
  await page.keyboard.type('hello world');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Control+b');
  expect(await text()).toBe('**hello world**');
  await page.keyboard.press('Control+b');
  expect(await text()).toBe('hello world');
  await page.keyboard.press('Control+b');
  await page.keyboard.press('Control+z');
  expect(await text()).toBe('hello world');
  await page.keyboard.press('Control+i');
  expect(await text()).toBe('*hello world*');
  await page.keyboard.press('Control+z');

  await page.keyboard.press('Control+k');
  await page.keyboard.type('https://quire.test/');
  expect(await text()).toBe('[hello world](https://quire.test/)');
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  expect(await text()).toBe('hello world');

  await page.keyboard.press('End');
  await page.keyboard.type('\n- first');
  await page.keyboard.press('Enter');
  await page.keyboard.type('second');
  expect(await text()).toBe('hello world\n- first\n- second');
});

test('the find bar and the shortcut list open from the keyboard; Escape closes them', async () => {
  const page = alice.page;
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+f');
  await expect(page.locator('.cm-search input[name="search"]')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.locator('.cm-search')).toHaveCount(0);

  const helpButton = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await helpButton.focus();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('row', { name: /Bold/ })).toContainText('Ctrl+B');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(helpButton).toBeFocused();
  // In the text, ? is just a character.
  await page.locator('.cm-content').click();
  await page.keyboard.press('End');
  await page.keyboard.type('?');
  await expect(dialog).toBeHidden();
});

/** The server's static file handler serves a lazily loaded chunk, as JavaScript, for good. */
async function expectServedChunk(page: Page, url: string): Promise<void> {
  const response = await page.request.get(url);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/javascript/);
  expect(response.headers()['cache-control']).toContain('immutable');
}

test('code blocks are highlighted in their language, loaded on demand, in the app and the element', async () => {
  const page = alice.page;
  const code = '```python\ndef answer():\n    return 42\n```\n';
  const keyword = (root: ReturnType<Page['locator']>) =>
    root.locator('.cm-line', { hasText: 'def answer' }).locator('span', { hasText: /^def$/ });

  await openDoc(page, 'md-code');
  const appChunk = page.waitForResponse((r) => /\/assets\/lang-python-[\w-]+\.js$/.test(r.url()));
  await setText(page, code);
  await expectServedChunk(page, (await appChunk).url());
  await expect(keyword(page.locator('.cm-content'))).toHaveCount(1);

  await page.goto(`${server.url}/embed.html`);
  const left = page.locator('#left');
  await expect(left.locator('.quire-status')).toHaveAttribute('data-status', /online|saved/);
  const elementChunk = page.waitForResponse((r) =>
    /\/assets\/element\/lang-python-[\w-]+\.js$/.test(r.url()),
  );
  await left.locator('.cm-content').click();
  await page.keyboard.type(code.replace('    ', ''));
  await expectServedChunk(page, (await elementChunk).url());
  await expect(keyword(left.locator('.cm-content'))).toHaveCount(1);
});

test('on a phone the preview takes the text’s place, in light and dark', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await openDoc(page, 'md-keys');
  const toggle = page.getByRole('button', { name: 'Preview' });
  // Without a keyboard: the toolbar's Bold button formats the selection, one undo step.
  const text = () => page.evaluate(() => window.quire?.view.state.doc.toString() ?? '');
  await page.locator('.cm-line', { hasText: 'hello world' }).click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End');
  await page.getByRole('button', { name: 'Bold' }).click();
  expect(await text()).toMatch(/^\*\*hello world\*\*\n/);
  await expect(page.locator('.cm-content')).toBeFocused();
  await page.keyboard.press('Control+z');
  expect(await text()).toMatch(/^hello world\n/);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator('.quire')).toHaveAttribute('data-theme', colorScheme);
    await toggle.click();
    await expect(page.locator('.quire-md-preview li').last()).toContainText('second');
    await expect(page.locator('.cm-editor')).toBeHidden();
    const pane = await page.locator('.quire-md-preview').boundingBox();
    expect(pane?.width).toBeGreaterThan(300);
    await toggle.click();
    await expect(page.locator('.cm-editor')).toBeVisible();
  }
  await context.close();
});
