/**
 * Test fixtures: a fresh quire-server per test, and "users": each one its own browser context
 * (separate IndexedDB, no BroadcastChannel between them), like two people on two machines.
 */
import {
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type ServerHandle } from './server.js';

const e2eRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const screenshotDir = join(e2eRoot, 'test-results', 'screenshots');

export interface User {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Opens the document again in a new tab of the same browser profile. */
  reopen(path: string): Promise<Page>;
}

/** Fixed colors, so screenshots tell people apart (the demo otherwise picks one at random). */
const COLORS: Record<string, string> = { Alice: '#d1242f', Bob: '#0969da', Viewer: '#1a7f37' };

async function openPage(context: BrowserContext, url: string, name: string): Promise<Page> {
  await context.addInitScript(
    ([displayName, color]) => {
      // The demo remembers the identity here; seed it once, like a returning user's.
      if (localStorage.getItem('quire:identity') === null) {
        localStorage.setItem('quire:identity', JSON.stringify({ name: displayName, color }));
      }
    },
    [name, COLORS[name] ?? '#8250df'] as const,
  );
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
  await page.goto(url);
  return page;
}

export async function newUser(
  browser: Browser,
  /** Where pages are loaded from: the server, or a proxy in front of it. */
  server: Pick<ServerHandle, 'url'>,
  name: string,
  path: string,
  contextOptions: BrowserContextOptions = {},
): Promise<User> {
  const context = await browser.newContext(contextOptions);
  const user: User = {
    name,
    context,
    page: await openPage(context, server.url + path, name),
    async reopen(nextPath: string) {
      user.page = await context.newPage();
      await user.page.goto(server.url + nextPath);
      return user.page;
    },
  };
  return user;
}

/** The document text as CodeMirror holds it (without the caret-label widgets' text). */
/** The editor's status indicator (its `data-status` is connecting/online/saved/offline/denied). */
export function statusOf(page: Page): Locator {
  return page.locator('.quire-status');
}

export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => window.quire?.view.state.doc.toString() ?? '');
}

export async function typeInEditor(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text, { delay: 15 });
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  await base.info().attach(name, { path, contentType: 'image/png' });
  return path;
}

export const test = base.extend<{ server: ServerHandle; serverArgs: string[] }>({
  serverArgs: [[], { option: true }],
  server: async ({ serverArgs }, use, testInfo) => {
    const server = await startServer(serverArgs);
    await use(server);
    if (testInfo.status !== testInfo.expectedStatus) {
      await testInfo.attach('server-output', { body: server.output(), contentType: 'text/plain' });
    }
    await server.dispose();
  },
});

export { expect };
