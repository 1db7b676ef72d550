/**
 * Edits survive a restart, and after a restart the first sync a fresh client receives already
 * holds the whole document (no empty-then-filled flash).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeServerFrame, encodeSyncStep1 } from '@quire/shared';
import { startServer } from './helpers/server.js';
import { rawSocket, waitFor, waitSynced } from './helpers/clients.js';
import { testScope } from './helpers/scope.js';

describe('persistence across restarts (SQLite)', () => {
  const scope = testScope();
  const dataDir = scope.dataDir;

  it('edits survive a graceful restart', async () => {
    const dir = dataDir();
    const first = await startServer({ dataDir: dir });
    const writer = scope.client(first.wsUrl, 'survivor');
    await waitSynced(writer);
    writer.text.insert(0, 'written before restart');
    await waitFor(() => first.server.metrics.updatesPersisted >= 1);
    writer.destroy();
    await first.close();

    const second = await startServer({ dataDir: dir, port: 0 });
    const reader = scope.client(second.wsUrl, 'survivor');
    await waitSynced(reader);
    expect(reader.text.toString()).toBe('written before restart');
    await second.close();
  });

  it('the first sync step 2 after a restart already contains the whole document', async () => {
    const dir = dataDir();
    const first = await startServer({ dataDir: dir, compactAfterUpdates: 10 });
    const writer = scope.client(first.wsUrl, 'no-flash');
    await waitSynced(writer);
    for (let i = 0; i < 35; i++) writer.text.insert(writer.text.length, `line ${i}\n`);
    const expected = writer.text.toString();
    await waitFor(() => first.server.metrics.updatesPersisted >= 35);
    writer.destroy();
    await first.close();

    const second = await startServer({ dataDir: dir });
    const socket = await rawSocket(`${second.wsUrl}/no-flash`);
    socket.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
    await waitFor(() => socket.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'));
    const firstStep2 = socket.messages
      .map((m) => decodeServerFrame(m))
      .find((f) => f.kind === 'sync-step2');
    const doc = new Y.Doc();
    if (firstStep2?.kind !== 'sync-step2') throw new Error('no sync step 2');
    Y.applyUpdate(doc, firstStep2.update);
    expect(doc.getText('text').toString()).toBe(expected);
    socket.ws.close();
    await second.close();
  });

  it('a room unloaded after its last client left reloads with every edit', async () => {
    const dir = dataDir();
    const running = await startServer({ dataDir: dir, roomUnloadGraceMs: 10 });
    const a = scope.client(running.wsUrl, 'reload');
    await waitSynced(a);
    a.text.insert(0, 'before unload');
    await waitFor(() => running.server.metrics.updatesPersisted >= 1);
    a.destroy();
    await waitFor(() => running.server.loadedDocuments().length === 0, 5_000, 'unload');
    expect(running.server.metrics.roomsUnloaded).toBe(1);

    const b = scope.client(running.wsUrl, 'reload');
    await waitSynced(b);
    expect(b.text.toString()).toBe('before unload');
    await running.close();
  });

  it('concurrent joins of one document share a single load', async () => {
    const running = await startServer({ dataDir: dataDir() });
    const joiners = Array.from({ length: 6 }, () => scope.client(running.wsUrl, 'crowd'));
    await Promise.all(joiners.map((j) => waitSynced(j)));
    expect(running.server.metrics.roomsLoaded).toBe(1);
    await running.close();
  });
});
