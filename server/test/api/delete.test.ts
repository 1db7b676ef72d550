/**
 * DELETE leaves a tombstone: the API answers 404, upgrades answer 410, open sessions are closed
 * with 4410 (3.x stops; 1.x retries and keeps getting 410), so a stock client holding a local
 * copy cannot bring the document back — across a restart too. Restore brings it back as it was.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { MemoryStorage } from '../../src/index.js';
import { startServer, tempDir } from '../helpers/server.js';
import { upgradeStatus } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from './api-client.js';

const TEXT = 'codemirror';

describe('DELETE /api/docs/<name>', () => {
  it('tombstones the document: 404, 410, sessions closed, no resurrection, survives a restart', async () => {
    const dir = tempDir('quire-delete-');
    try {
      let running = await startServer({ dataDir: dir.path });
      const call = (path: string, req?: Parameters<typeof api>[2]) =>
        api(running.httpUrl, path, req);
      const name = 'doomed';
      expect(
        (await call('/api/docs', jsonRequest('POST', { name, text: 'last words' }))).status,
      ).toBe(201);
      const v3 = versionedStockClient('v3', running.wsUrl, name);
      const v1 = versionedStockClient('v1', running.wsUrl, name);
      try {
        await waitFor(
          () =>
            v3.doc.getText(TEXT).toString() === 'last words' &&
            v1.doc.getText(TEXT).toString() === 'last words',
          5_000,
          'both clients to load the document',
        );

        const deleted = await call(docPath(name), { method: 'DELETE' });
        expect(deleted.status).toBe(204);
        await waitFor(
          () => v3.closeCodes.includes(CloseCode.Gone) && v1.closeCodes.includes(CloseCode.Gone),
          5_000,
          'both sessions to be closed with 4410',
        );
        expect(running.server.loadedDocuments()).not.toContain(name);

        // Both keep typing into their local copies; the 1.x client keeps reconnecting.
        v3.doc.getText(TEXT).insert(0, 'v3 was here: ');
        v1.doc.getText(TEXT).insert(0, 'v1 was here: ');
        const refusedBefore = running.server.metrics.connectionsOpened;
        await waitFor(
          () => upgradeStatus(`${running.wsUrl}/${name}`).then((s) => s === 410),
          5_000,
          'a 410',
        );
        // The 1.x provider retries and is refused each time: no connection is opened.
        const closes = v1.closeCodes.length;
        await waitFor(() => v1.closeCodes.length >= closes + 2, 5_000, 'two more 1.x retries');
        expect(running.server.connectionCount()).toBe(0);
        // The 3.x provider stopped for good after 4410 (the final band).
        expect(v3.closeCodes).toEqual([CloseCode.Gone]);
        expect(running.server.metrics.connectionsOpened).toBe(refusedBefore);
        expect(v3.provider.wsconnected || v1.provider.wsconnected).toBe(false);

        for (const [rest, req] of [
          ['/text', {}],
          ['/update', {}],
          ['/text', { method: 'PUT', body: 'back!', type: 'text/plain' }],
          ['', { method: 'DELETE' }],
        ] as const) {
          expect(
            (await call(docPath(name, rest), req)).status,
            `${rest} ${JSON.stringify(req)}`,
          ).toBe(404);
        }
        expect(
          (await call('/api/docs')).json.docs.map((d: { name: string }) => d.name),
        ).not.toContain(name);
        // The name is still taken while the document can be restored.
        expect((await call('/api/docs', jsonRequest('POST', { name, text: 'new' }))).status).toBe(
          409,
        );
      } finally {
        v3.destroy();
        v1.destroy();
      }

      await running.close();
      running = await startServer({ dataDir: dir.path });
      expect(await upgradeStatus(`${running.wsUrl}/${name}`)).toBe(410);
      expect((await call(docPath(name, '/text'))).status).toBe(404);

      expect((await call(docPath(name, '/restore'), { method: 'POST' })).status).toBe(204);
      expect((await call(docPath(name, '/restore'), { method: 'POST' })).status).toBe(404);
      // Exactly as it was deleted: nothing the clients typed afterwards.
      expect((await call(docPath(name, '/text'))).text).toBe('last words');
      expect(await upgradeStatus(`${running.wsUrl}/${name}`)).toBe(101);
      await running.close();
    } finally {
      dir.remove();
    }
  });

  it('cannot restore after the retention period', async () => {
    const dir = tempDir('quire-retention-');
    try {
      const running = await startServer({ dataDir: dir.path, deletedRetentionMs: 1 });
      await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'brief' }));
      expect((await api(running.httpUrl, docPath('brief'), { method: 'DELETE' })).status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const restore = await api(running.httpUrl, docPath('brief', '/restore'), { method: 'POST' });
      expect(restore.status).toBe(404);
      await running.close();
    } finally {
      dir.remove();
    }
  });
});

describe('the tombstone check at the upgrade', () => {
  it('fails open when the store cannot answer, so an outage does not lock editors out', async () => {
    const storage = new MemoryStorage();
    const running = await startServer({ storage });
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'open-doc', text: 't' }));
    const editor = versionedStockClient('v3', running.wsUrl, 'open-doc');
    try {
      await waitFor(() => editor.provider.synced, 5_000, 'the editor to sync');
      storage.lifecycle.deletedAt = () => Promise.reject(new Error('store unreachable'));
      expect(await upgradeStatus(`${running.wsUrl}/open-doc`)).toBe(101);
    } finally {
      editor.destroy();
    }
  });
});

describe('restore while an editor still holds a copy', () => {
  it('lets the 1.x client, retrying all along, reconnect and merge what it typed', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
    await call('/api/docs', jsonRequest('POST', { name: 'undo-me', text: 'kept' }));
    const v1 = versionedStockClient('v1', running.wsUrl, 'undo-me');
    try {
      await waitFor(() => v1.doc.getText(TEXT).toString() === 'kept', 5_000, 'the load');
      await call(docPath('undo-me'), { method: 'DELETE' });
      await waitFor(() => v1.closeCodes.includes(CloseCode.Gone), 5_000, 'the 4410');
      v1.doc.getText(TEXT).insert(4, ' and typed offline');
      expect((await call(docPath('undo-me', '/restore'), { method: 'POST' })).status).toBe(204);
      await waitFor(
        async () => (await call(docPath('undo-me', '/text'))).text === 'kept and typed offline',
        10_000,
        'the client to reconnect and merge',
      );
    } finally {
      v1.destroy();
    }
  });
});
