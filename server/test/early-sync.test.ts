/**
 * Early initial sync: a cold (compacted) document's stored state is sent as soon as it is read,
 * before the server integrates it, and the client's own sync step 1 is then answered with only
 * what it still lacks.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeServerFrame, encodeSyncStep1, encodeSyncUpdate } from '@quire/shared';
import { stepOneAfterEarlySync } from '../src/transport/early-sync.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { startServer } from './helpers/server.js';
import { rawSocket, stockClient, waitFor, waitSynced } from './helpers/clients.js';
import { testScope } from './helpers/scope.js';

/** Writes `text` to `doc` through a server on `dir`, then shuts it down (which compacts). */
async function seed(dir: string, docName: string, text: string): Promise<void> {
  const server = await startServer({ dataDir: dir });
  const writer = stockClient(server.wsUrl, docName);
  try {
    await waitSynced(writer);
    writer.text.insert(0, text);
    await waitFor(() => server.server.metrics.updatesPersisted >= 1);
  } finally {
    writer.destroy();
    await server.close();
  }
}

/** The update a change to `doc` produces. */
function captureUpdate(doc: Y.Doc, change: () => void): Uint8Array {
  let update: Uint8Array = new Uint8Array();
  const capture = (u: Uint8Array) => (update = u);
  doc.on('update', capture);
  change();
  doc.off('update', capture);
  return update;
}

describe('early initial sync of cold documents', () => {
  const scope = testScope();
  const dataDir = scope.dataDir;

  it('sends the whole stored document once, then only what the client still lacks', async () => {
    const dir = dataDir();
    const content = 'stored paragraph\n'.repeat(200);
    await seed(dir, 'cold', content);
    const running = await startServer({ dataDir: dir });
    try {
      const socket = await rawSocket(`${running.wsUrl}/cold`);
      socket.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
      await waitFor(
        () => socket.messages.filter((m) => decodeServerFrame(m).kind === 'sync-step2').length >= 2,
      );
      const steps = socket.messages
        .map((m) => decodeServerFrame(m))
        .filter((f) => f.kind === 'sync-step2');
      const doc = new Y.Doc();
      for (const step of steps) Y.applyUpdate(doc, step.update);
      expect(doc.getText('text').toString()).toBe(content);
      // The first step 2 already holds everything; the answer to our step 1 holds no content.
      const first = new Y.Doc();
      Y.applyUpdate(first, steps[0]!.update);
      expect(first.getText('text').toString()).toBe(content);
      expect(steps[1]!.update.length).toBeLessThan(content.length / 10);
      socket.ws.close();
    } finally {
      await running.close();
    }
  });

  it('a new tab on a loaded, unchanged document gets the stored snapshot as it is; after an edit, the edited state', async () => {
    const dir = dataDir();
    // A snapshot that still carries deleted text: re-encoding the loaded (garbage-collected)
    // document would give different bytes, so the bytes show which one was served.
    const source = new Y.Doc({ gc: false });
    const inserted = captureUpdate(source, () => source.getText('text').insert(0, 'kept, dropped'));
    const deleted = captureUpdate(source, () => source.getText('text').delete(4, 9));
    const snapshot = Y.mergeUpdates([inserted, deleted]);
    const storage = new SqliteStorage({ dataDir: dir });
    await storage.compact('warm', snapshot, { throughSeq: 0, baseSeq: 0 });
    await storage.close();

    const running = await startServer({ dataDir: dir });
    /** A new tab's sync step 2: the answer to an empty state vector. */
    const newTabStepTwo = async (): Promise<Uint8Array> => {
      const socket = await rawSocket(`${running.wsUrl}/warm`);
      socket.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
      await waitFor(() => socket.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'));
      const step = socket.messages
        .map((m) => decodeServerFrame(m))
        .find((f) => f.kind === 'sync-step2');
      socket.ws.close();
      return step?.kind === 'sync-step2' ? step.update : new Uint8Array();
    };
    try {
      const editor = scope.client(running.wsUrl, 'warm'); // loads the room
      await waitSynced(editor);
      expect(editor.text.toString()).toBe('kept');
      const served = await newTabStepTwo();
      expect(Buffer.compare(served, snapshot)).toBe(0);
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, snapshot);
      expect(Buffer.compare(Y.encodeStateAsUpdate(loaded), snapshot)).not.toBe(0);

      editor.text.insert(0, 'edited, ');
      await waitFor(() => running.server.metrics.updatesPersisted >= 1);
      const after = new Y.Doc();
      Y.applyUpdate(after, await newTabStepTwo());
      expect(after.getText('text').toString()).toBe('edited, kept');
    } finally {
      await running.close();
    }
  });

  it('a document larger than half the send high-water mark takes the normal path', async () => {
    const dir = dataDir();
    const content = 'x'.repeat(40 * 1024);
    await seed(dir, 'big', content);
    const running = await startServer({ dataDir: dir, sendHighWaterBytes: 64 * 1024 });
    try {
      const socket = await rawSocket(`${running.wsUrl}/big`);
      socket.ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
      await waitFor(() => socket.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'));
      // The room's own sync step 1 comes first: nothing was sent before the load finished.
      expect(decodeServerFrame(socket.messages[0]!).kind).toBe('sync-step1');
      const step2 = socket.messages
        .map((m) => decodeServerFrame(m))
        .find((f) => f.kind === 'sync-step2');
      const doc = new Y.Doc();
      if (step2?.kind === 'sync-step2') Y.applyUpdate(doc, step2.update);
      expect(doc.getText('text').toString()).toBe(content);
      socket.ws.close();
    } finally {
      await running.close();
    }
  });

  it('a client with its own offline edits merges with the cold document both ways', async () => {
    const dir = dataDir();
    await seed(dir, 'merge', 'from the server. ');
    const running = await startServer({ dataDir: dir });
    try {
      const offline = new Y.Doc();
      offline.getText('text').insert(0, 'offline edit. ');
      const socket = await rawSocket(`${running.wsUrl}/merge`);
      socket.ws.send(encodeSyncStep1(Y.encodeStateVector(offline)));
      socket.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(offline)));
      await waitFor(
        () => socket.messages.filter((m) => decodeServerFrame(m).kind === 'sync-step2').length >= 2,
      );
      for (const m of socket.messages) {
        const f = decodeServerFrame(m);
        if (f.kind === 'sync-step2' || f.kind === 'sync-update') Y.applyUpdate(offline, f.update);
      }
      const reader = scope.client(running.wsUrl, 'merge');
      await waitSynced(reader);
      await waitFor(() => reader.text.length === offline.getText('text').length);
      expect(reader.text.toString()).toBe(offline.getText('text').toString());
      expect(reader.text.toString()).toContain('from the server. ');
      expect(reader.text.toString()).toContain('offline edit. ');
      socket.ws.close();
    } finally {
      await running.close();
    }
  });

  it('stepOneAfterEarlySync asks for what is beyond both state vectors', () => {
    const sent = Y.encodeStateVector(
      new Map([
        [1, 10],
        [2, 5],
      ]),
    );
    const client = Y.encodeStateVector(
      new Map([
        [2, 7],
        [3, 1],
      ]),
    );
    const frame = stepOneAfterEarlySync({ kind: 'sync-step1', stateVector: client }, sent);
    if (frame.kind !== 'sync-step1') throw new Error('not a step 1');
    expect(Y.decodeStateVector(frame.stateVector)).toEqual(
      new Map([
        [1, 10],
        [2, 7],
        [3, 1],
      ]),
    );
    const garbage = { kind: 'sync-step1' as const, stateVector: new Uint8Array([0xff]) };
    expect(stepOneAfterEarlySync(garbage, sent)).toBe(garbage);
  });
});
