/**
 * Restore with real stock y-websocket clients (1.x and 3.x) on a real server: a restore while
 * two clients type converges everywhere and disconnects nobody; an editor that was offline
 * during a restore merges its edits when it reconnects; only the editor text is restored (maps
 * and XML keep their current content); versions survive a restart (SQLite).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStorage, type StorageAdapter, type VersionStore } from '../../src/index.js';
import { TEXT_NAME } from '../../src/history/version-state.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import {
  STOCK_VERSIONS,
  versionedStockClient,
  type VersionedStockClient,
} from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';

/** A server whose rooms stay loaded for the whole test (an unload would add versions). */
const start = () => startServer({ storage: new MemoryStorage(), roomUnloadGraceMs: 600_000 });

function helpers(running: RunningServer) {
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  return {
    call,
    create: (name: string, text: string) => call('/api/docs', jsonRequest('POST', { name, text })),
    save: async (name: string) =>
      (await call(docPath(name, '/versions'), { method: 'POST' })).json.id as number,
    restore: (name: string, id: number) =>
      call(docPath(name, `/versions/${id}/restore`), { method: 'POST' }),
    serverText: async (name: string) => (await call(docPath(name, '/text'))).text,
    putText: (name: string, text: string) =>
      call(docPath(name, '/text'), { method: 'PUT', body: text, type: 'text/plain' }),
  };
}

const textOf = (c: VersionedStockClient) => c.doc.getText(TEXT_NAME).toString();
const synced = (c: VersionedStockClient) =>
  waitFor(() => c.provider.synced, 5_000, `the ${c.version} client to sync`);
/** Close codes a client got from the server, as opposed to its own disconnects. */
const serverCloses = (c: VersionedStockClient) =>
  c.closeCodes.filter((code) => code !== 1000 && code !== 1005);

describe('restore with stock clients', () => {
  it('converges while two stock clients type, and nobody is disconnected', async () => {
    const running = await start();
    const h = helpers(running);
    const VERSION_TEXT = 'Version one.\n';
    await h.create('live', VERSION_TEXT);
    const v1 = await h.save('live');
    const clients = STOCK_VERSIONS.map((v) => versionedStockClient(v, running.wsUrl, 'live'));
    try {
      await Promise.all(clients.map(synced));
      const a = clients[0]!;
      const tag = (c: VersionedStockClient) => (c === a ? 'a' : 'b');
      // Edits the server has before the restore: the restore removes them.
      for (const c of clients) {
        const t = c.doc.getText(TEXT_NAME);
        t.insert(t.length, `[${tag(c)}-before]`);
      }
      await waitFor(
        async () => (await h.serverText('live')).split('-before]').length === 3,
        5_000,
        'the server to hold both clients edits',
      );
      // Typing at both ends while the restore runs.
      let n = 0;
      const typing = setInterval(() => {
        for (const c of clients) {
          const t = c.doc.getText(TEXT_NAME);
          t.insert(n % 2 === 0 ? 0 : t.length, `(${tag(c)}${n})`);
        }
        n++;
      }, 3);
      await waitFor(() => n >= 5, 5_000, 'typing to be under way');
      const restored = await h.restore('live', v1);
      clearInterval(typing);
      expect(restored.status).toBe(200);
      expect(restored.json.changed).toBe(true);
      for (const c of clients) {
        const t = c.doc.getText(TEXT_NAME);
        t.insert(t.length, `{${tag(c)}-after}`);
      }
      await waitFor(
        async () => {
          const server = await h.serverText('live');
          return clients.every((c) => textOf(c) === server) && server.includes('{b-after}');
        },
        10_000,
        'the server and both clients to converge',
      );
      const final = await h.serverText('live');
      expect(final).not.toContain('-before]');
      expect(final).toContain('{a-after}');
      expect(final).toContain('{b-after}');
      // Whatever concurrent typing survived, the rest is exactly the version's text.
      expect(final.replace(/\([ab]\d+\)|\{[ab]-after\}/g, '')).toBe(VERSION_TEXT);
      for (const c of clients) expect(serverCloses(c)).toEqual([]);
      for (const c of clients) expect(c.provider.wsconnected).toBe(true);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  for (const version of STOCK_VERSIONS) {
    it(`a ${version} editor offline during a restore merges its edits when it reconnects`, async () => {
      const running = await start();
      const h = helpers(running);
      await h.create('offline', 'Base.\n');
      const base = await h.save('offline');
      const editor = versionedStockClient(version, running.wsUrl, 'offline');
      const watcher = versionedStockClient(version, running.wsUrl, 'offline');
      try {
        await Promise.all([synced(editor), synced(watcher)]);
        await h.putText('offline', 'Base.\nA paragraph to undo.\n');
        await waitFor(() => textOf(editor).includes('undo'), 5_000, 'the editor to get the write');
        editor.provider.disconnect();
        editor.doc.getText(TEXT_NAME).insert(0, 'Offline note. ');
        expect((await h.restore('offline', base)).json.changed).toBe(true);
        expect(await h.serverText('offline')).toBe('Base.\n');
        await waitFor(() => textOf(watcher) === 'Base.\n', 5_000, 'the watcher to see the restore');
        editor.provider.connect();
        await waitFor(
          async () =>
            textOf(watcher) === 'Offline note. Base.\n' && textOf(editor) === textOf(watcher),
          5_000,
          'the offline edit to merge',
        );
        expect(await h.serverText('offline')).toBe('Offline note. Base.\n');
        expect(serverCloses(editor)).toEqual([]);
        expect(serverCloses(watcher)).toEqual([]);
      } finally {
        editor.destroy();
        watcher.destroy();
      }
    });
  }

  it('edits made while the version before a restore is being written survive the restore', async () => {
    // The version store holds its writes until released, so an edit lands mid-restore.
    const memory = new MemoryStorage();
    let release: () => void = () => {};
    let holding = false;
    let held = false;
    const versions: VersionStore = {
      add: async (v) => {
        if (holding) {
          await new Promise<void>((resolve) => {
            release = resolve;
            held = true;
          });
        }
        return memory.versions.add(v);
      },
      list: (doc, o) => memory.versions.list(doc, o),
      get: (doc, id) => memory.versions.get(doc, id),
      latest: (doc) => memory.versions.latest(doc),
      remove: (doc, ids) => memory.versions.remove(doc, ids),
      documents: (o) => memory.versions.documents(o),
    };
    const storage: StorageAdapter = {
      load: (n) => memory.load(n),
      append: (n, u) => memory.append(n, u),
      compact: (n, sn, c) => memory.compact(n, sn, c),
      sync: () => memory.sync(),
      list: (o) => memory.list(o),
      delete: (n) => memory.delete(n),
      close: () => memory.close(),
      versions,
      ...(memory.lifecycle ? { lifecycle: memory.lifecycle } : {}),
    };
    const running = await startServer({ storage, roomUnloadGraceMs: 600_000 });
    const h = helpers(running);
    await h.create('held', 'Old.\n');
    const old = await h.save('held');
    await h.putText('held', 'Old.\nNew paragraph.\n');
    const client = versionedStockClient('v3', running.wsUrl, 'held');
    try {
      await synced(client);
      holding = true;
      const restoring = h.restore('held', old);
      await waitFor(() => held, 5_000, 'the save to be held');
      const t = client.doc.getText(TEXT_NAME);
      t.insert(t.length, 'Typed meanwhile.');
      await waitFor(
        async () => (await h.serverText('held')).endsWith('Typed meanwhile.'),
        5_000,
        'the server to take the edit',
      );
      holding = false;
      release();
      expect((await restoring).json.changed).toBe(true);
      await waitFor(
        async () => textOf(client) === (await h.serverText('held')),
        5_000,
        'convergence',
      );
      expect(await h.serverText('held')).toBe('Old.\nTyped meanwhile.');
      // The version saved first is the state the restore replaced, without the later edit.
      const [before] = (await h.call(docPath('held', '/versions'))).json;
      expect(before.kind).toBe('restore');
      expect((await h.call(docPath('held', `/versions/${before.id}/text`))).text).toBe(
        'Old.\nNew paragraph.\n',
      );
    } finally {
      client.destroy();
    }
  });

  it('restores only the editor text: maps and XML keep their current content', async () => {
    const running = await start();
    const h = helpers(running);
    await h.create('mixed', 'T1');
    const client = versionedStockClient('v3', running.wsUrl, 'mixed');
    try {
      await synced(client);
      const meta = client.doc.getMap('meta');
      const xml = client.doc.getXmlFragment('prosemirror');
      client.doc.transact(() => {
        meta.set('title', 'A');
        xml.insert(0, [new Y.XmlElement('paragraph')]);
      });
      await waitFor(
        async () => (await h.call(docPath('mixed', '/update'))).body.length > 20,
        5_000,
        'the server to hold the map and the XML',
      );
      const v = await h.save('mixed');
      client.doc.transact(() => {
        meta.set('title', 'B');
        xml.insert(1, [new Y.XmlElement('heading')]);
        const t = client.doc.getText(TEXT_NAME);
        t.delete(0, t.length);
        t.insert(0, 'T2');
      });
      await waitFor(async () => (await h.serverText('mixed')) === 'T2', 5_000, 'the edit');
      expect((await h.restore('mixed', v)).status).toBe(200);
      await waitFor(() => textOf(client) === 'T1', 5_000, 'the client to get the restore');
      expect(meta.get('title')).toBe('B');
      expect(xml.toArray().map((e) => (e as Y.XmlElement).nodeName)).toEqual([
        'paragraph',
        'heading',
      ]);
      // The server's document agrees.
      const server = new Y.Doc();
      Y.applyUpdate(server, (await h.call(docPath('mixed', '/update'))).body);
      expect(server.getMap('meta').get('title')).toBe('B');
      expect(server.getXmlFragment('prosemirror').length).toBe(2);
      expect(server.getText(TEXT_NAME).toString()).toBe('T1');
    } finally {
      client.destroy();
    }
  });
});

describe('versions across a restart (SQLite)', () => {
  it('keeps versions, and restores one after the restart', async () => {
    const dir = tempDir();
    try {
      const first = await startServer({ dataDir: dir.path });
      const h1 = helpers(first);
      await h1.create('durable', 'kept text');
      const id = await h1.save('durable');
      await h1.putText('durable', 'changed text');
      await first.close();
      const second = await startServer({ dataDir: dir.path });
      const h2 = helpers(second);
      const listed = (await h2.call(docPath('durable', '/versions'))).json;
      expect(listed.map((v: { id: number }) => v.id)).toContain(id);
      expect((await h2.restore('durable', id)).status).toBe(200);
      expect(await h2.serverText('durable')).toBe('kept text');
      await second.close();
    } finally {
      dir.remove();
    }
  });
});
