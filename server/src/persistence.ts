/**
 * Persistence policy above the byte store: how a document is rebuilt from storage, when its log
 * is compacted, and what happens when a write fails. The adapter stays dumb (storage/adapter.ts).
 *
 * Rules: every update is appended before it is relayed (the room awaits `append`); only Yjs
 * binary state is stored; a load that fails throws, so no empty document can replace real data.
 */
import * as Y from 'yjs';
import type { StorageAdapter } from './storage/adapter.js';
import { errorMessage, type Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface PersistencePolicy {
  compactAfterUpdates: number;
  compactAfterBytes: number;
}

/** What the store knows about one loaded document's log. */
export class DocumentLog {
  /** Updates and bytes appended since the last compaction. */
  count = 0;
  bytes = 0;
  lastSeq = 0;
  /** Set when a write failed: the next compaction rewrites the whole state to repair the gap. */
  needsRepair = false;
}

export class DocumentStore {
  constructor(
    private readonly adapter: StorageAdapter,
    private readonly policy: PersistencePolicy,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Rebuilds a document from its snapshot and log. Throws if storage cannot be read or holds
   * bytes that are not a valid Yjs update. */
  async load(name: string): Promise<{ doc: Y.Doc; log: DocumentLog }> {
    const started = performance.now();
    const stored = await this.adapter.load(name);
    const doc = new Y.Doc({ gc: true });
    const log = new DocumentLog();
    if (stored) {
      doc.transact(() => {
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
        for (const update of stored.updates) Y.applyUpdate(doc, update);
      });
      log.count = stored.updates.length;
      log.bytes = stored.updates.reduce((sum, u) => sum + u.length, 0);
      log.lastSeq = stored.lastSeq;
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        this.log.warn('stored document has updates with missing dependencies', { doc: name });
      }
    }
    this.metrics.observeLoad(performance.now() - started);
    return { doc, log };
  }

  /** Appends an update. Never rejects: a failed write is logged, counted and marked for repair
   * by the next compaction, which rewrites the full state. Returns whether the write succeeded. */
  async append(name: string, log: DocumentLog, update: Uint8Array): Promise<boolean> {
    try {
      log.lastSeq = await this.adapter.append(name, update);
      log.count++;
      log.bytes += update.length;
      this.metrics.updatesPersisted++;
      return true;
    } catch (error) {
      log.needsRepair = true;
      this.metrics.persistenceErrors++;
      this.log.error('failed to append update', { doc: name, error: errorMessage(error) });
      return false;
    }
  }

  shouldCompact(log: DocumentLog): boolean {
    return (
      log.needsRepair ||
      log.count >= this.policy.compactAfterUpdates ||
      log.bytes >= this.policy.compactAfterBytes
    );
  }

  /** Replaces snapshot + log with the document's full state in one transaction. */
  async compact(name: string, log: DocumentLog, doc: Y.Doc): Promise<boolean> {
    const throughSeq = log.lastSeq;
    const countAtStart = log.count;
    const bytesAtStart = log.bytes;
    try {
      await this.adapter.compact(name, Y.encodeStateAsUpdate(doc), throughSeq);
      // Appends that landed while compacting stay in the log; only the covered ones are gone.
      log.count -= countAtStart;
      log.bytes -= bytesAtStart;
      log.needsRepair = false;
      this.metrics.compactions++;
      return true;
    } catch (error) {
      this.metrics.persistenceErrors++;
      this.log.error('failed to compact document', { doc: name, error: errorMessage(error) });
      return false;
    }
  }

  sync(): Promise<void> {
    return this.adapter.sync();
  }
}
