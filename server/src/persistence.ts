/**
 * Persistence policy above the byte store: how a document is rebuilt from storage, when its log
 * is compacted, what happens when a write fails, and when a write counts as durable.
 *
 * Rules: every update is appended before it is relayed (the room awaits `append`); only Yjs
 * binary state is stored; a load that fails throws, so no empty document can replace real data.
 * Appends reach the OS at once (a process crash loses nothing written); the group commit fsyncs
 * them in short windows, and only then are they acknowledged as saved (persisted-ack.ts). A failed
 * write keeps the document in memory, marks it for repair (a full-state rewrite) and retries with
 * backoff (save-retry.ts); meanwhile the store reports itself unhealthy and nothing is acked.
 */
import * as Y from 'yjs';
import type { StorageAdapter } from './storage/adapter.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';
import { PersistedAck } from './persisted-ack.js';
import { SaveRetry } from './save-retry.js';
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
  /** Set when a write failed: storage lacks part of the document until a compaction rewrites
   * the whole state. */
  needsRepair = false;
  /** Acknowledges durable state to the document's opted-in peers. */
  readonly ack: PersistedAck;
  /** Retries the repair while it fails. */
  readonly retry: SaveRetry;
  /** The compaction in progress, if any: compactions of one document never overlap. */
  compacting: Promise<boolean> | null = null;

  constructor(
    readonly doc: Y.Doc,
    commit: GroupCommit,
    onFailure: (log: DocumentLog) => void,
    repair: (log: DocumentLog) => Promise<boolean>,
  ) {
    this.retry = new SaveRetry(() => repair(this));
    this.ack = new PersistedAck(doc, commit, {
      needsRepair: () => this.needsRepair,
      onSyncFailed: () => onFailure(this),
    });
    doc.on('destroy', () => this.retry.stop());
  }
}

export class DocumentStore {
  private readonly commit: GroupCommit;
  /** Loaded documents whose storage lacks part of their state. */
  private readonly unsaved = new Set<DocumentLog>();

  constructor(
    private readonly adapter: StorageAdapter,
    private readonly policy: PersistencePolicy,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    const sync = () =>
      adapter.sync().catch((error: unknown) => {
        metrics.persistenceErrors++; // a failed fsync is a failed save, for alerting
        throw error;
      });
    this.commit = new GroupCommit(sync, log);
  }

  /** Rebuilds a document from its snapshot and log. Throws if storage cannot be read or holds
   * bytes that are not a valid Yjs update. When the document is a snapshot alone (compacted, the
   * usual state after an unload), `onStoredState` gets those bytes before they are integrated. */
  async load(
    name: string,
    onStoredState?: (state: Uint8Array) => void,
  ): Promise<{ doc: Y.Doc; log: DocumentLog; storedState: Uint8Array | null }> {
    const started = performance.now();
    const stored = await this.adapter.load(name);
    // A snapshot alone is the whole document, byte for byte what the Y.Doc is built from.
    const storedState =
      stored?.snapshot && stored.updates.length === 0 && !stored.damaged?.length
        ? stored.snapshot
        : null;
    if (storedState) onStoredState?.(storedState);
    const doc = new Y.Doc({ gc: true });
    if (stored) {
      doc.transact(() => {
        if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
        for (const update of stored.updates) Y.applyUpdate(doc, update);
      });
      for (const problem of stored.damaged ?? []) {
        this.log.error('damaged stored record', { doc: name, problem });
      }
      if (doc.store.pendingStructs || doc.store.pendingDs) {
        this.log.warn('stored document has updates with missing dependencies', { doc: name });
      }
    }
    const log = new DocumentLog(
      doc,
      this.commit,
      (l) => this.markUnsaved(name, l),
      (l) => this.compact(name, l, doc),
    );
    if (stored) {
      log.count = stored.updates.length;
      log.bytes = stored.updates.reduce((sum, u) => sum + u.length, 0);
      log.lastSeq = stored.lastSeq;
      // Damaged records were left out: rewrite the intact state so they stop mattering.
      if (stored.damaged?.length) this.markUnsaved(name, log);
    }
    doc.on('destroy', () => this.unsaved.delete(log));
    this.metrics.observeLoad(performance.now() - started);
    return { doc, log, storedState };
  }

  /** Appends an update. Never rejects: a failed write is logged, counted and marked for repair
   * by the next compaction, which rewrites the full state. Returns whether the write succeeded. */
  async append(name: string, log: DocumentLog, update: Uint8Array): Promise<boolean> {
    log.ack.writeStarted();
    try {
      log.lastSeq = await this.adapter.append(name, update);
      log.count++;
      log.bytes += update.length;
      this.metrics.updatesPersisted++;
      log.ack.writeEnded(true);
      // Compact as soon as the threshold is crossed, not after a whole burst of queued updates:
      // load time stays bounded however the updates arrive. A failing store is left to the retry.
      if (!log.needsRepair && !log.compacting && this.shouldCompact(log)) {
        void this.compact(name, log, log.doc);
      }
      return true;
    } catch (error) {
      this.metrics.persistenceErrors++;
      this.log.error('failed to append update', { doc: name, error: errorMessage(error) });
      this.markUnsaved(name, log);
      log.ack.writeEnded(false);
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

  /** Replaces snapshot + log with the document's full state in one transaction. Compactions of
   * one document run one after another. */
  async compact(name: string, log: DocumentLog, doc: Y.Doc): Promise<boolean> {
    while (log.compacting) await log.compacting;
    const run = this.compactNow(name, log, doc);
    log.compacting = run;
    try {
      return await run;
    } finally {
      log.compacting = null;
    }
  }

  private async compactNow(name: string, log: DocumentLog, doc: Y.Doc): Promise<boolean> {
    const throughSeq = log.lastSeq;
    const countAtStart = log.count;
    const bytesAtStart = log.bytes;
    // Whatever fails from here on, the state encoded now is what a success makes whole again.
    const repairing = log.needsRepair;
    log.needsRepair = false;
    log.ack.writeStarted();
    try {
      await this.adapter.compact(name, Y.encodeStateAsUpdate(doc), throughSeq);
    } catch (error) {
      log.needsRepair = true;
      this.metrics.persistenceErrors++;
      this.log.error('failed to compact document', { doc: name, error: errorMessage(error) });
      this.markUnsaved(name, log);
      log.ack.writeEnded(false);
      return false;
    }
    // Appends that landed while compacting stay in the log; only the covered ones are gone.
    log.count -= countAtStart;
    log.bytes -= bytesAtStart;
    this.metrics.compactions++;
    // A write that failed during this compaction set needsRepair again: still unsaved.
    if (!log.needsRepair) {
      if (repairing) this.log.info('document saved again after a storage failure', { doc: name });
      this.unsaved.delete(log);
      log.retry.reset();
    }
    log.ack.writeEnded(true);
    return true;
  }

  /** Why the store cannot promise durability right now, or null when it can. */
  unhealthyReason(): string | null {
    if (this.commit.isFailing) return 'storage fsync is failing';
    if (this.unsaved.size > 0) {
      return `storage writes are failing: ${this.unsaved.size} document(s) not saved`;
    }
    return null;
  }

  /** Runs the pending group commit now: every write so far is fsynced and acknowledged. */
  flushCommits(): Promise<void> {
    return this.commit.flush();
  }

  durabilityStats(): GroupCommitStats & { unsavedDocuments: number } {
    return { ...this.commit.stats(), unsavedDocuments: this.unsaved.size };
  }

  close(): void {
    this.commit.close();
  }

  sync(): Promise<void> {
    return this.adapter.sync();
  }

  private markUnsaved(name: string, log: DocumentLog): void {
    log.needsRepair = true;
    if (!this.unsaved.has(log)) {
      this.unsaved.add(log);
      this.log.warn('document kept in memory until storage recovers', { doc: name });
    }
    log.retry.schedule();
  }
}
