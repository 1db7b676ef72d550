/**
 * Compaction thresholds grow with the snapshot (DocumentStore.shouldCompact): a big document is
 * rewritten once its log is about as big as its snapshot, not after every `compactAfterBytes`.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { MemoryStorage } from '../../src/storage/memory.js';

const KIB = 1024;

/** An update that inserts `bytes` characters at the end of the author's text. */
function paste(author: Y.Doc, bytes: number): Uint8Array {
  const before = Y.encodeStateVector(author);
  const text = author.getText('t');
  text.insert(text.length, 'x'.repeat(bytes));
  return Y.encodeStateAsUpdate(author, before);
}

async function settled(store: DocumentStore, log: { saving: Promise<boolean> | null }) {
  while (log.saving) await log.saving;
  await store.flushCommits();
}

describe('compaction thresholds', () => {
  it('scale with the stored snapshot once it passes compactAfterBytes', async () => {
    const storage = new MemoryStorage();
    const metrics = new Metrics();
    const store = new DocumentStore(
      storage,
      { compactAfterUpdates: 1_000, compactAfterBytes: 4 * KIB },
      silentLogger,
      metrics,
    );
    const author = new Y.Doc();
    const { log } = await store.load('big');

    // Past the fixed threshold: compacted into a ~16 KiB snapshot.
    await store.append('big', log, paste(author, 16 * KIB));
    await settled(store, log);
    expect(metrics.compactions).toBe(1);
    expect(log.snapshotBytes).toBeGreaterThan(16 * KIB);

    // 12 KiB more would have crossed 4 KiB three times; against a 16 KiB snapshot it waits.
    for (let i = 0; i < 3; i++) await store.append('big', log, paste(author, 4 * KIB));
    await settled(store, log);
    expect(metrics.compactions).toBe(1);

    // The log reaches the snapshot's size: compacted again, and nothing is lost.
    await store.append('big', log, paste(author, 5 * KIB));
    await settled(store, log);
    expect(metrics.compactions).toBe(2);
    const stored = await storage.load('big');
    expect(stored?.updates).toHaveLength(0);
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, stored!.snapshot!);
    expect(rebuilt.getText('t').toString()).toBe(author.getText('t').toString());
    store.close();
  });

  it('scale the update count the same way', async () => {
    const storage = new MemoryStorage();
    const metrics = new Metrics();
    const store = new DocumentStore(
      storage,
      { compactAfterUpdates: 10, compactAfterBytes: 4 * KIB },
      silentLogger,
      metrics,
    );
    const author = new Y.Doc();
    const { log } = await store.load('typed');
    await store.append('typed', log, paste(author, 8 * KIB)); // snapshot ≈ 2 × compactAfterBytes
    await settled(store, log);
    expect(metrics.compactions).toBe(1);
    // Ten keystrokes reach compactAfterUpdates, but the snapshot doubles the threshold to ~20.
    for (let i = 0; i < 10; i++) await store.append('typed', log, paste(author, 1));
    await settled(store, log);
    expect(metrics.compactions).toBe(1);
    for (let i = 0; i < 12; i++) await store.append('typed', log, paste(author, 1));
    await settled(store, log);
    expect(metrics.compactions).toBe(2);
    store.close();
  });
});
