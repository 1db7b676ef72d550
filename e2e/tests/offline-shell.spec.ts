/**
 * The offline app shell (client/src/sw/): a document this browser opened before opens again
 * with the server down or the network off, shows its offline copy, takes edits and syncs them
 * when the server is back; a new build reaches an open tab as a prompt, never as a broken page.
 *
 * The server runs in this process through the public API (createQuireServer) with a static
 * directory of its own — a copy of the real demo build — so the update case can deploy a second,
 * really built release into it, the way a deploy replaces files on disk. The cases share one
 * browser profile (Alice's), as one person's day would: opened online, the server goes down,
 * the train goes into a tunnel, the app is updated.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { createQuireServer, silentLogger, type QuireServer } from '@quire/server';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  statusOf,
  test,
  typeInEditor,
  type User,
} from '../src/fixtures.js';
import { assertBuilt } from '../src/server.js';

const clientRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'client');
const builtDemo = join(clientRoot, 'dist', 'demo');

const NO_COPY = 'This document has not been opened on this device, so there is no offline copy.';

/** A quire-server that can be stopped and started again on the same port, data and files. */
class ShellServer {
  private server: QuireServer | null = null;
  port = 0;
  private constructor(
    readonly dataDir: string,
    readonly staticDir: string,
  ) {}

  static async start(): Promise<ShellServer> {
    assertBuilt();
    const root = mkdtempSync(join(tmpdir(), 'quire-e2e-shell-'));
    const shell = new ShellServer(join(root, 'data'), join(root, 'site'));
    cpSync(builtDemo, shell.staticDir, { recursive: true });
    await shell.resume();
    return shell;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    const server = createQuireServer({
      port: this.port,
      host: '127.0.0.1',
      dataDir: this.dataDir,
      staticDir: this.staticDir,
      logger: silentLogger,
      roomUnloadGraceMs: 100,
    });
    this.port = (await server.listen()).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  /** A deploy: the served files are replaced by another build's (old assets are gone). */
  deploy(buildDir: string): void {
    rmSync(this.staticDir, { recursive: true, force: true });
    cpSync(buildDir, this.staticDir, { recursive: true });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(dirname(this.dataDir), { recursive: true, force: true });
  }
}

/** A second release: the real demo build (service worker and manifest included) of the source
 * with one change, as the next commit would make. */
function buildNextRelease(outDir: string): Promise<void> {
  const script = `
    import { build } from 'vite';
    await build({
      configFile: 'vite.demo.config.ts',
      logLevel: 'silent',
      build: { outDir: process.env.OUT_DIR, emptyOutDir: true },
      plugins: [{
        name: 'next-release',
        transform(code, id) {
          return id.endsWith('/src/demo/main.ts')
            ? code + '\\ndocument.documentElement.dataset.release = "next";\\n'
            : null;
        },
      }],
    });`;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: clientRoot,
      env: { ...process.env, OUT_DIR: outDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`next release build failed:\n${stderr}`)),
    );
  });
}

/** Resolves once a service worker controls the page, i.e. the shell is cached. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise((resolveChange) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolveChange, { once: true }),
    );
  });
}

/** The script the page was loaded with (its name carries the build's content hash). */
function mainScript(page: Page): Promise<string> {
  return page.evaluate(
    () => new URL(document.querySelector<HTMLScriptElement>('script[type=module]')!.src).pathname,
  );
}

/** Whether a new worker is waiting, and how many shell caches this browser holds. */
function shellWorkers(page: Page): Promise<{ waiting: boolean; caches: number }> {
  return page.evaluate(async () => ({
    waiting: (await navigator.serviceWorker.getRegistration())?.waiting != null,
    caches: (await caches.keys()).filter((name) => name.startsWith('quire-shell-')).length,
  }));
}

async function serverText(server: ShellServer, doc: string): Promise<string> {
  const response = await fetch(`${server.url}/api/docs/${doc}/text`);
  return response.ok ? response.text() : `HTTP ${response.status}`;
}

/** Another person's editor: a stock y-websocket client, which sees what reached the server. */
function otherClient(server: ShellServer, doc: string): { text: Y.Text; close(): void } {
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}`, doc, ydoc, {
    WebSocketPolyfill: WebSocket as never,
  });
  return { text: ydoc.getText('codemirror'), close: () => provider.destroy() };
}

const DOC = 'shell-notes';
let server: ShellServer;
let alice: User;
let nextBuild: string;
let nextRelease: Promise<void>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  server = await ShellServer.start();
  nextBuild = mkdtempSync(join(tmpdir(), 'quire-e2e-next-'));
  // Built while the first cases run; the last one deploys it.
  nextRelease = buildNextRelease(nextBuild);
  nextRelease.catch(() => {});
  alice = await newUser(browser, server, 'Alice', `/d/${DOC}`);
  await waitForServiceWorker(alice.page);
});

test.afterAll(async () => {
  await alice?.context.close();
  await server?.dispose();
  rmSync(nextBuild, { recursive: true, force: true });
});

test('with the server stopped, a reload shows the offline copy, takes edits, and syncs them after the restart', async () => {
  const bob = otherClient(server, DOC);
  try {
    await typeInEditor(alice.page, 'Online.');
    await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'saved');
    await expect.poll(() => bob.text.toString()).toBe('Online.');

    await server.stop();
    await alice.page.reload();
    await expect.poll(() => editorText(alice.page)).toBe('Online.');
    await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'offline');
    await typeInEditor(alice.page, ' Server down.');
    await saveScreenshot(alice.page, 'offline-shell-server-down');

    // The home page lists what this device keeps; a document never opened here says so.
    const other = await alice.context.newPage();
    await other.goto(`${server.url}/`);
    await expect(other.locator('#offline-doc-list li a')).toHaveText([DOC]);
    await other.goto(`${server.url}/d/never-opened-here`);
    await expect(other.getByRole('status').filter({ hasText: NO_COPY })).toBeVisible();
    await expect(other.locator('.demo-editor')).toBeHidden();

    await server.resume();
    await expect.poll(() => bob.text.toString(), { timeout: 20_000 }).toBe('Online. Server down.');
    await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'saved');
    // The page that had nothing to show opens the document once the server answers.
    await expect(other.locator('.demo-editor')).toBeVisible({ timeout: 20_000 });
    await expect(other.getByRole('status').filter({ hasText: NO_COPY })).toHaveCount(0);
    await other.close();
  } finally {
    bob.close();
  }
});

test("in the browser's offline mode, a reload shows the offline copy and the edits sync once back online", async () => {
  await alice.context.setOffline(true);
  await alice.page.reload();
  await expect.poll(() => editorText(alice.page)).toBe('Online. Server down.');
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'offline');
  await typeInEditor(alice.page, ' Tunnel.');
  await expect(statusOf(alice.page)).toContainText('edits kept on this device');

  const other = await alice.context.newPage();
  await other.goto(`${server.url}/`);
  // Most recently opened first; the page that synced once the server was back is kept too.
  await expect(other.locator('#offline-doc-list li a')).toHaveText([DOC, 'never-opened-here']);
  await saveScreenshot(other, 'offline-shell-home');
  await other.goto(`${server.url}/d/somewhere-else`);
  await expect(other.getByRole('status').filter({ hasText: NO_COPY })).toBeVisible();
  await saveScreenshot(other, 'offline-shell-no-copy');
  await other.close();

  await alice.context.setOffline(false);
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'saved', { timeout: 20_000 });
  expect(await serverText(server, DOC)).toBe('Online. Server down. Tunnel.');
});

test('a new build reaches an open tab as a prompt: the tab keeps working on its build until Reload', async () => {
  const page = alice.page;
  const oldScript = await mainScript(page);
  await nextRelease;
  await server.stop();
  server.deploy(nextBuild);
  await server.resume();
  // The old build's files are gone from the server…
  expect((await fetch(server.url + oldScript)).status).toBe(404);
  // …the open tab reconnects, notices the new build, and asks.
  const prompt = page.locator('#update-prompt');
  await expect(prompt).toContainText('A new version of Quire is available.', { timeout: 20_000 });
  await saveScreenshot(page, 'offline-shell-update-prompt');
  // It keeps working on the build it runs, whose files stay available to it.
  expect(await page.evaluate((src) => fetch(src).then((r) => r.status), oldScript)).toBe(200);
  await typeInEditor(page, ' Deployed.');
  await expect(statusOf(page)).toHaveAttribute('data-status', 'saved');
  expect(await page.evaluate(() => document.documentElement.dataset.release)).toBeUndefined();
  // The new worker waits for the person's choice instead of taking over the open tab.
  expect(await shellWorkers(page)).toEqual({ waiting: true, caches: 2 });

  await Promise.all([
    page.waitForEvent('framenavigated'),
    prompt.getByRole('button', { name: 'Reload' }).click(),
  ]);
  await expect
    .poll(() => page.evaluate(() => document.documentElement.dataset.release))
    .toBe('next');
  expect(await mainScript(page)).not.toBe(oldScript);
  await expect.poll(() => editorText(page)).toBe('Online. Server down. Tunnel. Deployed.');
  await expect(page.locator('#update-prompt')).toHaveCount(0);
  // The new build's worker is in charge; the previous build's cache stays for tabs still on it.
  expect(await shellWorkers(page)).toEqual({ waiting: false, caches: 2 });
});
