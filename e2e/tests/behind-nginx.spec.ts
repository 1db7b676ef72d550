/**
 * Quire behind a real nginx that terminates TLS (the configuration docs/operations.md shows,
 * src/nginx.ts), started with `--trust-proxy 127.0.0.1`:
 * - `wss://` works for the demo editor in Chromium and for a stock y-websocket 3.x client, and
 *   the access log holds no query string (tokens travel in `?token=`);
 * - the per-IP cap and the new-document quota count the address nginx forwards. Clients bind
 *   127.0.0.2, 127.0.0.3…: loopback addresses nginx sees as distinct, while nginx itself reaches
 *   Quire from 127.0.0.1, which is exempt from both. Were Quire counting nginx's address, no
 *   client here would ever be refused;
 * - a forged `X-Forwarded-For` gains nothing: through nginx (which appends the address it saw,
 *   the rightmost untrusted hop) or sent straight to Quire (an untrusted peer: ignored).
 * One server and one nginx for the file; each case uses its own client addresses.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import {
  editorText,
  expect,
  saveScreenshot,
  statusOf,
  test,
  typeInEditor,
} from '../src/fixtures.js';
import { startNginx, type NginxHandle } from '../src/nginx.js';
import { startServer, type ServerHandle } from '../src/server.js';

test.describe.configure({ mode: 'serial' });

const PER_IP = 2;
const NEW_DOCS_PER_MINUTE = 2;
/** Sent as `?token=` in open mode (where it is ignored): it must not reach the access log. */
const MARKER = 'marker-that-must-stay-out-of-logs';

let quire: ServerHandle;
let nginx: NginxHandle;
const sockets: WebSocket[] = [];

test.beforeAll(async () => {
  quire = await startServer([
    '--trust-proxy',
    '127.0.0.1',
    '--max-connections-per-ip',
    String(PER_IP),
    '--max-new-documents-per-minute',
    String(NEW_DOCS_PER_MINUTE),
  ]);
  nginx = await startNginx(quire.port);
});

test.afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  const testInfo = test.info();
  if (testInfo.status !== testInfo.expectedStatus) {
    await testInfo.attach('server-output', { body: quire.output(), contentType: 'text/plain' });
    await testInfo.attach('nginx-logs', {
      body: `${nginx.errorLog()}\n--- access log ---\n${nginx.accessLog()}`,
      contentType: 'text/plain',
    });
  }
});

test.afterAll(async () => {
  await nginx?.stop();
  await quire?.dispose();
});

const wssUrl = () => nginx.url.replace(/^https:/, 'wss:');
const wsUrl = () => quire.url.replace(/^http:/, 'ws:');

/** A `ws` class with fixed client options (source address, headers, the test's CA), as the
 * WebSocket polyfill a stock provider constructs with `new Polyfill(url, protocols)`. */
function socketClass(options: WebSocket.ClientOptions): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, options);
    }
  } as typeof WebSocket;
}

/** Opens a WebSocket: 101 (kept open until the test ends) or the HTTP status it was refused with. */
function upgrade(url: string, options: WebSocket.ClientOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      sockets.push(ws);
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The server's log lines saying an upgrade was refused for `remote` (in any field order). */
function refusalsFor(remote: string): string[] {
  const field = (name: string, value: string) =>
    new RegExp(`${name}\\W{1,3}${value.replaceAll('.', '\\.')}\\b`);
  return quire
    .output()
    .split('\n')
    .filter((line) => line.includes('upgrade refused') && field('remote', remote).test(line));
}

/** A stock 3.x client that puts text into a new document: 'created' once the API reads it back,
 * or the close code the server ended the connection with. */
async function createDocument(base: string, name: string, options: WebSocket.ClientOptions) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(base, name, doc, {
    WebSocketPolyfill: socketClass(options) as never,
    disableBc: true,
  });
  // 1006 is a connection that never opened (the previous one's slot not yet released): the
  // provider retries it by itself. Any other close is the server's answer.
  const closed = new Promise<number>((resolve) => {
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (event && event.code !== 1006) resolve(event.code);
    });
  });
  doc.getText('codemirror').insert(0, `text of ${name}`);
  // Neither within 15 s: answered as such, so the assertion says what happened.
  const stored = (async () => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const res = await fetch(`${quire.url}/api/docs/${name}/text`);
      if (res.ok && (await res.text()) === `text of ${name}`) return 'created' as const;
      await new Promise((r) => setTimeout(r, 50));
    }
    return 'neither stored nor refused' as const;
  })();
  try {
    return await Promise.race([closed, stored]);
  } finally {
    provider.destroy();
    doc.destroy();
  }
}

test('wss:// through nginx: the editor in Chromium and a stock y-websocket client edit one document', async ({
  browser,
}) => {
  const DOC = 'tls/notes';
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const socketUrls: string[] = [];
  page.on('websocket', (ws) => socketUrls.push(ws.url()));
  await page.goto(`${nginx.url}/d/${DOC}`);
  await expect(statusOf(page)).toHaveAttribute('data-status', /online|saved/);
  await typeInEditor(page, 'Typed in Chromium over TLS.');

  const doc = new Y.Doc();
  const text = doc.getText('codemirror');
  const provider = new WebsocketProvider(wssUrl(), DOC, doc, {
    WebSocketPolyfill: socketClass({ ca: nginx.certificate }) as never,
    params: { token: MARKER },
    disableBc: true,
  });
  try {
    await expect.poll(() => text.toString()).toBe('Typed in Chromium over TLS.');
    text.insert(text.length, ' And from a stock client.');
    await expect
      .poll(() => editorText(page))
      .toBe('Typed in Chromium over TLS. And from a stock client.');
  } finally {
    provider.destroy();
    doc.destroy();
  }
  expect(socketUrls[0]).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${nginx.port}/`));
  await saveScreenshot(page, 'behind-nginx-wss');
  await context.close();

  // nginx logs a WebSocket when it closes: both the page and the stock client's socket, with the
  // path only. The client's address is nginx's $remote_addr.
  await expect.poll(() => nginx.accessLog()).toContain(`"GET /${DOC} HTTP/1.1" 101`);
  const log = nginx.accessLog();
  expect(log).toMatch(new RegExp(`^127\\.0\\.0\\.1 .*"GET /d/${DOC} HTTP/1\\.1" 200`, 'm'));
  expect(log).not.toContain(MARKER);
  expect(log).not.toContain('token=');
});

test('the per-IP cap counts the address nginx forwards, and a forged X-Forwarded-For through nginx gains nothing', async () => {
  const through = (from: string, headers: Record<string, string> = {}) =>
    upgrade(`${wssUrl()}/cap/proxied`, { localAddress: from, ca: nginx.certificate, headers });
  for (let i = 0; i < PER_IP; i++) expect(await through('127.0.0.2')).toBe(101);
  expect(await through('127.0.0.2')).toBe(429);
  // Another client behind the same nginx has its own budget.
  expect(await through('127.0.0.3')).toBe(101);
  // A new made-up address each time: nginx appends the one it saw, and that one is counted.
  const forged = (n: number) => ({ 'X-Forwarded-For': `198.51.100.${n}` });
  for (let i = 0; i < PER_IP; i++) expect(await through('127.0.0.4', forged(i))).toBe(101);
  expect(await through('127.0.0.4', forged(99))).toBe(429);

  await expect.poll(() => refusalsFor('127.0.0.2').length).toBe(1);
  expect(refusalsFor('127.0.0.2')[0]).toMatch(/proxy\W{1,3}127\.0\.0\.1\b/);
  await expect.poll(() => refusalsFor('127.0.0.4').length).toBe(1);
  expect(refusalsFor('198.51.100.99')).toEqual([]);
});

test('the new-document quota counts the address nginx forwards', async () => {
  const options = (from: string) => ({ localAddress: from, ca: nginx.certificate });
  for (let i = 1; i <= NEW_DOCS_PER_MINUTE; i++) {
    expect(await createDocument(wssUrl(), `quota/proxied-${i}`, options('127.0.0.7'))).toBe(
      'created',
    );
  }
  // 1013 Try Again Later: the write that would create one more, refused and not stored.
  expect(await createDocument(wssUrl(), 'quota/proxied-over', options('127.0.0.7'))).toBe(1013);
  expect((await fetch(`${quire.url}/api/docs/quota/proxied-over/text`)).status).toBe(404);
  expect(await createDocument(wssUrl(), 'quota/proxied-other', options('127.0.0.8'))).toBe(
    'created',
  );
});

test('a forged X-Forwarded-For sent straight to Quire is ignored: the cap and the quota count the socket address', async () => {
  const forged = (n: number) => ({ 'X-Forwarded-For': `203.0.113.${n}` });
  const direct = (n: number) =>
    upgrade(`${wsUrl()}/cap/direct`, { localAddress: '127.0.0.5', headers: forged(n) });
  for (let i = 0; i < PER_IP; i++) expect(await direct(i)).toBe(101);
  expect(await direct(99)).toBe(429);
  await expect.poll(() => refusalsFor('127.0.0.5').length).toBe(1);
  expect(refusalsFor('127.0.0.5')[0]).not.toMatch(/proxy/);

  for (let i = 1; i <= NEW_DOCS_PER_MINUTE; i++) {
    const options = { localAddress: '127.0.0.6', headers: forged(i) };
    expect(await createDocument(wsUrl(), `quota/direct-${i}`, options)).toBe('created');
  }
  const over = { localAddress: '127.0.0.6', headers: forged(50) };
  expect(await createDocument(wsUrl(), 'quota/direct-over', over)).toBe(1013);
});
