/**
 * The document API writing while people type: a person types in the Chromium editor and two
 * stock providers (y-websocket 3.x and 1.x, from this process) type into the same document while
 * the API replaces the text (PUT …/text) and restores a saved version. All three converge, nobody
 * is disconnected (each keeps its one socket), and what each typed after the restore is kept.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider as ProviderV3 } from 'y-websocket';
import { WebsocketProvider as ProviderV1Untyped } from 'y-websocket-v1';
import { editorText, expect, newUser, test } from '../src/fixtures.js';

test.describe.configure({ timeout: 120_000 });

const ProviderV1 = ProviderV1Untyped as unknown as typeof ProviderV3;
const DOC = 'api/live';
const TEXT_NAME = 'codemirror';

interface Typist {
  label: string;
  text: Y.Text;
  provider: ProviderV3;
  /** Connection losses seen ('disconnected' after having been connected). */
  drops: number;
  /** Starts inserting `[label-n]` at the end every `ms`; returns the stopper. */
  type(tag: string, ms: number): () => void;
}

function stockTypist(Provider: typeof ProviderV3, label: string, wsUrl: string): Typist {
  const doc = new Y.Doc();
  const provider = new Provider(wsUrl, DOC, doc, { WebSocketPolyfill: WebSocket as never });
  const typist: Typist = {
    label,
    text: doc.getText(TEXT_NAME),
    provider,
    drops: 0,
    type(tag, ms) {
      let n = 0;
      const timer = setInterval(() => {
        typist.text.insert(typist.text.length, `[${label}-${tag}${n++}]`);
      }, ms);
      return () => clearInterval(timer);
    },
  };
  let connected = false;
  provider.on('status', ({ status }: { status: string }) => {
    if (status === 'connected') connected = true;
    if (status === 'disconnected' && connected) typist.drops++;
  });
  return typist;
}

const synced = (provider: ProviderV3) =>
  new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', () => resolve());
  });

test('an API write and a restore while a Chromium editor and stock 1.x and 3.x clients type: all converge, nobody is disconnected', async ({
  browser,
  server,
  request,
}) => {
  const alice = await newUser(browser, server, 'Alice', `/d/${DOC}`);
  const sockets: { closed: boolean }[] = [];
  alice.page.on('websocket', (ws) => {
    const socket = { closed: false };
    sockets.push(socket);
    ws.on('close', () => (socket.closed = true));
  });
  await alice.page.locator('.cm-content').click();
  await alice.page.keyboard.type('Draft by Alice.', { delay: 10 });
  await expect.poll(() => editorText(alice.page)).toBe('Draft by Alice.');

  const wsUrl = server.url.replace(/^http/, 'ws');
  const typists = [stockTypist(ProviderV3, 'v3', wsUrl), stockTypist(ProviderV1, 'v1', wsUrl)];
  try {
    await Promise.all(typists.map((t) => synced(t.provider)));
    const api = `${server.url}/api/docs/${DOC}`;
    const saved = await request.post(`${api}/versions`, { data: { label: 'draft' } });
    expect(saved.status()).toBe(201);
    const { id } = (await saved.json()) as { id: number };

    // Everyone types while the API writes.
    const stops = typists.map((t) => t.type('during', 40));
    const alicePage = alice.page;
    await alicePage.keyboard.press('Control+End');
    const aliceTyping = alicePage.keyboard.type(' alice types on', { delay: 40 });
    const put = await request.put(`${api}/text`, {
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      data: 'Replaced by the API.\n',
    });
    expect(put.ok()).toBe(true);
    const restore = await request.post(`${api}/versions/${id}/restore`);
    expect(restore.ok()).toBe(true);
    await aliceTyping;
    for (const stop of stops) stop();

    // What each typed after the restore answered must be in the end state.
    for (const t of typists) t.text.insert(t.text.length, `[${t.label}-after]`);
    await alicePage.keyboard.press('Control+End');
    await alicePage.keyboard.type(' [alice-after]', { delay: 20 });

    await expect
      .poll(
        async () => {
          const text = await editorText(alicePage);
          return typists.every((t) => t.text.toString() === text) ? text : null;
        },
        { timeout: 20_000 },
      )
      .not.toBeNull();
    const final = await editorText(alicePage);
    for (const marker of ['[v3-after]', '[v1-after]', '[alice-after]']) {
      expect(final).toContain(marker);
    }
    // The restore took the API's replacement out again (typing went on around both edits, so
    // the version's own text may come back interleaved with concurrent keystrokes).
    expect(final).not.toContain('Replaced by the API.');

    expect(typists.map((t) => t.drops)).toEqual([0, 0]);
    expect(sockets.filter((s) => s.closed)).toHaveLength(0);
  } finally {
    for (const t of typists) t.provider.destroy();
  }
});
