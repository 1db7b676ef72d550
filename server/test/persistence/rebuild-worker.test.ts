/**
 * Compaction rebuilds of big documents run on a worker thread (persistence/rebuild-worker.ts):
 * the same bytes as on the event loop, bad bytes refused without losing the worker, a dead worker
 * leaving the work to the event loop, and a store whose big compaction goes through it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LogFields, Logger } from '../../src/log.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { OFFLOAD_BYTES, RebuildWorker } from '../../src/persistence/rebuild-worker.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { StoredDocument } from '../../src/storage/adapter.js';

/** A document with history: inserts, deletes and formatting-free text, about `bytes` big. */
function editedDocument(bytes: number): { doc: Y.Doc; stored: StoredDocument } {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  let seed = 7;
  const next = () => (seed = (seed * 16807) % 2147483647);
  while (text.length < bytes) {
    text.insert(next() % (text.length + 1), 'lorem ipsum '.repeat(1 + (next() % 400)));
    if (text.length > 100 && next() % 3 === 0) text.delete(next() % (text.length - 50), 40);
  }
  const snapshot = Y.mergeUpdates(updates.slice(0, updates.length >> 1));
  return {
    doc,
    stored: {
      snapshot,
      updates: updates.slice(updates.length >> 1),
      lastSeq: updates.length,
      compactedThrough: 1,
    },
  };
}

function inline(stored: StoredDocument): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  });
  return Y.encodeStateAsUpdate(doc);
}

describe('the compaction rebuild worker', () => {
  const workers: RebuildWorker[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.close();
  });

  it('gives the same bytes as a rebuild on the event loop', async () => {
    const worker = new RebuildWorker(silentLogger);
    workers.push(worker);
    const { stored } = editedDocument(OFFLOAD_BYTES * 1.5);
    expect(worker.wants(stored)).toBe(true);
    const state = await worker.rebuild(stored);
    expect(Buffer.from(state).equals(Buffer.from(inline(stored)))).toBe(true);
    expect(worker.rebuilds).toBe(1);
  });

  it('leaves small documents to the event loop', () => {
    const worker = new RebuildWorker(silentLogger);
    workers.push(worker);
    const { stored } = editedDocument(10_000);
    expect(worker.wants(stored)).toBe(false);
    expect(worker.running).toBe(false);
  });

  it('refuses bytes that are not Yjs updates, and keeps working', async () => {
    const worker = new RebuildWorker(silentLogger);
    workers.push(worker);
    const garbage = new Uint8Array(OFFLOAD_BYTES).fill(0xff);
    await expect(
      worker.rebuild({ snapshot: garbage, updates: [], lastSeq: 1, compactedThrough: 1 }),
    ).rejects.toThrow();
    const { stored } = editedDocument(OFFLOAD_BYTES);
    expect((await worker.rebuild(stored)).length).toBeGreaterThan(0);
    expect(worker.usable).toBe(true);
  });

  it('stops when idle and starts again on the next rebuild', async () => {
    const worker = new RebuildWorker(silentLogger, 20);
    workers.push(worker);
    const { stored } = editedDocument(OFFLOAD_BYTES);
    await worker.rebuild(stored);
    await new Promise((r) => setTimeout(r, 100));
    expect(worker.running).toBe(false);
    await worker.rebuild(stored);
    expect(worker.rebuilds).toBe(2);
  });

  it('says so once and leaves the work to the event loop when the worker dies', async () => {
    const warnings: string[] = [];
    const log: Logger = {
      ...silentLogger,
      warn: (message: string, _fields?: LogFields) => void warnings.push(message),
    };
    const worker = new RebuildWorker(log);
    workers.push(worker);
    const { stored } = editedDocument(OFFLOAD_BYTES);
    await worker.rebuild(stored);
    await worker.killForTest();
    await new Promise((r) => setTimeout(r, 50));
    expect(worker.usable).toBe(false);
    expect(worker.wants(stored)).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/rebuild worker exited/)]);
  });

  it('serves a store: a big document compacts to exactly its content', async () => {
    const storage = new MemoryStorage();
    const metrics = new Metrics();
    const store = new DocumentStore(
      storage,
      { compactAfterUpdates: 1_000_000, compactAfterBytes: 256 * 1024 },
      silentLogger,
      metrics,
    );
    const { doc, stored } = editedDocument(OFFLOAD_BYTES * 1.2);
    const { log } = await store.load('big');
    for (const u of [stored.snapshot!, ...stored.updates]) await store.append('big', log, u);
    while (log.saving) await log.saving;
    expect(metrics.compactions).toBeGreaterThanOrEqual(1);
    const after = await storage.load('big');
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, after!.snapshot!);
    for (const u of after!.updates) Y.applyUpdate(rebuilt, u);
    expect(rebuilt.getText('t').toString()).toBe(doc.getText('t').toString());
    store.close();
  });
});
