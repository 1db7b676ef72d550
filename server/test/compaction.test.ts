/** Compaction rewrites snapshot + log without changing the document, byte for byte. */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SqliteStorage } from '../src/index.js';
import { startServer, tempDir } from './helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from './helpers/clients.js';

describe('compaction', () => {
  const clients: StockClient[] = [];
  const dir = tempDir();
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  it('keeps the stored state equivalent to the live document and shrinks the log', async () => {
    const storage = new SqliteStorage({ dataDir: dir.path });
    const running = await startServer({ storage, compactAfterUpdates: 20 });
    const writer = stockClient(running.wsUrl, 'compact-me');
    clients.push(writer);
    await waitSynced(writer);
    for (let i = 0; i < 57; i++) {
      writer.text.insert(Math.floor(writer.text.length / 2), `w${i} `);
      if (i % 3 === 0) writer.text.delete(0, 1);
    }
    await waitFor(() => running.server.metrics.compactions >= 2, 5_000, 'compactions');
    // 57 inserts and 19 deletes, each its own update.
    await waitFor(() => running.server.metrics.updatesPersisted >= 76);

    const stored = await storage.load('compact-me');
    expect(stored?.snapshot).not.toBeNull();
    expect(stored!.updates.length).toBeLessThan(20);
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, stored!.snapshot!);
    for (const u of stored!.updates) Y.applyUpdate(rebuilt, u);
    expect(rebuilt.getText('text').toString()).toBe(writer.text.toString());
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(writer.doc));
    // Same content, byte for byte, once both sides are encoded the same way.
    expect(Y.encodeStateAsUpdate(rebuilt)).toEqual(Y.encodeStateAsUpdate(writer.doc));
    await running.close();
    dir.remove();
  });
});
