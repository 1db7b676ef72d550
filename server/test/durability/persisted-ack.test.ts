/** Persisted acks (message type 100) and the group commit behind them. */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MessageType, decodeServerFrame, encodeSyncStep2, encodeSyncUpdate } from '@quire/shared';
import { SqliteStorage } from '../../src/index.js';
import { ackingClient, type AckingClient } from '../helpers/ack-client.js';
import {
  rawSocket,
  stockClient,
  type RawSocket,
  waitFor,
  waitSynced,
  type StockClient,
} from '../helpers/clients.js';
import { FaultyStorage } from '../helpers/faulty-storage.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { readyStatus } from './support.js';

describe('persisted acks', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ running: RunningServer; storage: FaultyStorage }> {
    const dir = tempDir();
    const storage = new FaultyStorage(new SqliteStorage({ dataDir: dir.path }));
    const running = await startServer({ storage });
    cleanups.push(dir.remove, () => running.close());
    return { running, storage };
  }

  function track<T extends StockClient>(client: T): T {
    cleanups.push(() => client.destroy());
    return client;
  }

  it('says "saved" only after the fsync that covers the edit', async () => {
    const { running, storage } = await setup();
    const client = track(ackingClient(running.wsUrl, 'acked'));
    await waitSynced(client);
    await waitFor(() => client.saved(), 5_000, 'initial ack');

    const release = storage.holdSyncs();
    const appendsBefore = storage.calls.append;
    const syncsBefore = storage.calls.sync;
    client.text.insert(0, 'hello');
    // Written (appended) and its fsync started, but the fsync has not finished yet.
    await waitFor(() => storage.calls.append > appendsBefore && storage.calls.sync > syncsBefore);
    expect(client.saved()).toBe(false);
    release();
    await waitFor(() => client.saved(), 5_000, 'ack after fsync');
    const stored = await storage.inner.load('acked');
    expect(stored?.updates.length).toBeGreaterThan(0);
  });

  it('tells a newly joined client at once which state is durable', async () => {
    const { running } = await setup();
    const writer = track(ackingClient(running.wsUrl, 'joined'));
    await waitSynced(writer);
    writer.text.insert(0, 'already on disk');
    await waitFor(() => writer.saved(), 5_000, 'writer saved');

    const joiner = track(ackingClient(running.wsUrl, 'joined'));
    await waitSynced(joiner);
    await waitFor(() => joiner.acks.length > 0, 5_000, 'ack on join');
    expect(joiner.text.toString()).toBe('already on disk');
    expect(joiner.saved()).toBe(true);
  });

  it('tells a client that joins after edits from stock clients only which state is durable', async () => {
    // No opted-in peer was present when these edits were fsynced, so the server did not capture
    // their state vector then; the opted-in joiner must still learn that they are on disk.
    const { running, storage } = await setup();
    const stock = track(stockClient(running.wsUrl, 'stock-first'));
    await waitSynced(stock);
    const syncsBefore = storage.calls.sync;
    stock.text.insert(0, 'written by a stock client');
    await waitFor(() => storage.calls.sync > syncsBefore, 5_000, 'fsync after the stock edit');

    const joiner = track(ackingClient(running.wsUrl, 'stock-first'));
    await waitSynced(joiner);
    expect(joiner.text.toString()).toBe('written by a stock client');
    await waitFor(() => joiner.saved(), 5_000, 'ack covering the stock edit');
  });

  it('never sends the extension message to a client that did not opt in', async () => {
    const { running } = await setup();
    const plain = await rawSocket(`${running.wsUrl}/quiet`);
    cleanups.push(() => plain.ws.close());
    const writer = track(ackingClient(running.wsUrl, 'quiet'));
    await waitSynced(writer);
    writer.text.insert(0, 'edit');
    await waitFor(() => writer.saved(), 5_000, 'writer saved');
    // The plain socket received the relayed edit, which was sent after the fsync began.
    await waitFor(() => plain.messages.length >= 2, 5_000, 'relay to plain socket');
    expect(plain.messages.some((m) => m[0] === MessageType.PersistedAck)).toBe(false);
  });

  it('covers many updates with one fsync (group commit)', async () => {
    const { running, storage } = await setup();
    const clients = [0, 1, 2].map(() => track(ackingClient(running.wsUrl, 'burst')));
    await Promise.all(clients.map((c) => waitSynced(c)));
    await waitFor(() => clients.every((c) => c.saved()), 5_000, 'initial acks');
    const appendsBefore = storage.calls.append;
    const syncsBefore = storage.calls.sync;
    for (let i = 0; i < 40; i++) {
      for (const [n, c] of clients.entries()) c.text.insert(c.text.length, `${n}:${i} `);
    }
    await waitFor(() => clients.every((c) => c.saved()), 10_000, 'every edit saved');
    const appends = storage.calls.append - appendsBefore;
    const syncs = storage.calls.sync - syncsBefore;
    expect(appends).toBe(120);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(appends);
  });

  it('withholds acks while fsync fails, reports unready, and catches up when it recovers', async () => {
    const { running, storage } = await setup();
    const client: AckingClient = track(ackingClient(running.wsUrl, 'fsync-eio'));
    await waitSynced(client);
    await waitFor(() => client.saved(), 5_000, 'initial ack');
    storage.syncFault = 'EIO';
    const acksBefore = client.acks.length;
    client.text.insert(0, 'not yet durable');
    await waitFor(() => storage.calls.failedSyncs > 0, 5_000, 'failed fsync');
    const ready = await fetch(`${running.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/storage/);
    expect(client.saved()).toBe(false);
    expect(client.acks.length).toBe(acksBefore);

    storage.syncFault = null;
    await waitFor(() => client.saved(), 10_000, 'ack after recovery');
    await waitFor(async () => (await readyStatus(running.httpUrl)) === 200, 10_000, 'ready');
  });

  it('stock clients on the same document keep syncing alongside opted-in ones', async () => {
    const { running } = await setup();
    const acking = track(ackingClient(running.wsUrl, 'mixed'));
    const stock = track(stockClient(running.wsUrl, 'mixed'));
    await Promise.all([waitSynced(acking), waitSynced(stock)]);
    stock.text.insert(0, 'from stock ');
    acking.text.insert(0, 'from quire ');
    await waitFor(() => acking.text.toString() === stock.text.toString() && acking.saved());
    expect(stock.text.length).toBe('from stock from quire '.length);
  });
});

describe('persisted acks count durable update messages', () => {
  it('proves a delete-only edit saved, which the state vector alone cannot show', async () => {
    const dir = tempDir();
    const storage = new FaultyStorage(new SqliteStorage({ dataDir: dir.path }));
    const running = await startServer({ storage });
    try {
      const socket = await rawSocket(`${running.wsUrl}/delete-only?quire=1`);
      const acks = () =>
        socket.messages
          .filter((m) => m[0] === MessageType.PersistedAck)
          .map((m) => decodeServerFrame(m))
          .flatMap((f) => (f.kind === 'persisted-ack' ? [f] : []));
      const doc = new Y.Doc();
      const text = doc.getText('text');
      let sent = 0;
      doc.on('update', (update: Uint8Array) => {
        socket.ws.send(encodeSyncUpdate(update));
        sent++;
      });

      text.insert(0, 'abc');
      await waitFor(() => acks().some((a) => (a.durableUpdates ?? 0) >= sent), 5_000, 'insert ack');
      const vectorBefore = Y.encodeStateVector(doc);

      const release = storage.holdSyncs();
      const syncsBefore = storage.calls.sync;
      text.delete(1, 1);
      // Deletions do not advance the state vector: an ack's vector already "covers" this edit.
      expect(Y.encodeStateVector(doc)).toEqual(vectorBefore);
      // Written, and its fsync is being held: no ack may count the deletion yet.
      await waitFor(() => storage.calls.append >= 2, 5_000, 'delete written');
      // The fsync that would cover it has started (and is held): an ack sent on the write alone
      // would be out by now.
      await waitFor(() => storage.calls.sync > syncsBefore, 5_000, 'the held fsync');
      expect(acks().some((a) => (a.durableUpdates ?? 0) >= sent)).toBe(false);
      release();
      await waitFor(() => acks().some((a) => (a.durableUpdates ?? 0) >= sent), 5_000, 'delete ack');

      const stored = await storage.inner.load('delete-only');
      const rebuilt = new Y.Doc();
      if (stored?.snapshot) Y.applyUpdate(rebuilt, stored.snapshot);
      for (const u of stored?.updates ?? []) Y.applyUpdate(rebuilt, u);
      expect(rebuilt.getText('text').toString()).toBe('ac');
      socket.ws.close();
    } finally {
      await running.close();
      dir.remove();
    }
  });

  it('counts a message that changed nothing, such as the sync step 2 of a client that reconnects with nothing new', async () => {
    // Without this the reconnected editor waits for "saved" until its user types again.
    const dir = tempDir();
    const running = await startServer({ storage: new SqliteStorage({ dataDir: dir.path }) });
    try {
      const writer = await rawSocket(`${running.wsUrl}/nothing-new?quire=1`);
      const content = new Y.Doc();
      content.getText('text').insert(0, 'already there');
      writer.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(content)));
      const counts = (socket: RawSocket) =>
        socket.messages
          .filter((m) => m[0] === MessageType.PersistedAck)
          .map((m) => decodeServerFrame(m))
          .flatMap((f) => (f.kind === 'persisted-ack' ? [f.durableUpdates ?? 0] : []));
      await waitFor(() => counts(writer).some((n) => n >= 1), 5_000, 'the write acked');

      const returning = await rawSocket(`${running.wsUrl}/nothing-new?quire=1`);
      await waitFor(() => counts(returning).length > 0, 5_000, 'the ack on join');
      // Its answer to the server's sync step 1: it has nothing the server lacks.
      returning.ws.send(
        encodeSyncStep2(Y.encodeStateAsUpdate(content, Y.encodeStateVector(content))),
      );
      await waitFor(() => counts(returning).some((n) => n >= 1), 5_000, 'an ack counting it');
      writer.ws.close();
      returning.ws.close();
    } finally {
      await running.close();
      dir.remove();
    }
  });
});
