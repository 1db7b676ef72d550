/**
 * Persistence policy above the byte store: how a document is rebuilt from storage, when its log
 * is compacted, what happens when a write fails, and when a write counts as durable. This is the
 * one owner of compaction.
 *
 * Rules: every update is appended before it is relayed (the room awaits `append`); only Yjs
 * binary state is stored; a load that fails throws, so no empty document can replace real data.
 * Appends reach the OS at once (a process crash loses nothing written); the group commit fsyncs
 * them in short windows, and only then are they acknowledged as saved (persisted-ack.ts). A failed
 * write keeps the document in memory, marks it for repair (its full state appended as one update)
 * and retries with backoff (save-retry.ts); meanwhile the store reports itself unhealthy and
 * nothing is acked.
 *
 * Compaction is computed from the store's rows alone (snapshot plus log, rebuilt in a fresh
 * document), never from this process's memory: with several writers on one store, memory may
 * lack what another wrote, and a snapshot of it would let the store drop updates it never held.
 * The store's compare-and-set makes two compactions of one document at once safe.
 */
import * as Y from 'yjs';
import type { StorageAdapter, StoredDocument } from '../storage/adapter.js';
import { GroupCommit, type GroupCommitStats } from './group-commit.js';
import { DocumentLog } from './document-log.js';
import { RebuildStopped, RebuildWorker } from './rebuild-worker.js';
import { availabilityOf, watchAvailability, type StoreAvailability } from './store-health.js';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export { DocumentLog };

export interface PersistencePolicy {
  compactAfterUpdates: number;
  compactAfterBytes: number;
}

export class DocumentStore {
  private readonly commit: GroupCommit;
  /** Loaded documents whose storage lacks part of their state. */
  private readonly unsaved = new Set<DocumentLog>();
  /** Set for a store that can be unreachable as a whole (store-health.ts). */
  private readonly availability: StoreAvailability | null;
  private readonly unwatch: () => void;
  /** Rebuilds big documents for compaction off the event loop (rebuild-worker.ts). */
  private readonly rebuilder: RebuildWorker;

  constructor(
    private readonly adapter: StorageAdapter,
    private readonly policy: PersistencePolicy,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    const sync = () => {
      const timer = metrics.fsyncSeconds.startTimer();
      return adapter
        .sync()
        .catch((error: unknown) => {
          metrics.persistenceErrors++; // a failed fsync is a failed save, for alerting
          throw error;
        })
        .finally(() => timer());
    };
    this.commit = new GroupCommit(sync, log);
    this.rebuilder = new RebuildWorker(log);
    this.availability = availabilityOf(adapter);
    this.unwatch = this.availability
      ? watchAvailability(
          this.availability,
          log,
          () => this.unsaved.size,
          () => this.retryUnsavedNow(),
        )
      : () => {};
  }

  /** Rebuilds a document from its snapshot and log. Throws if storage cannot be read or holds
   * bytes that are not a valid Yjs update. When the document is a snapshot alone (compacted, the
   * usual state after an unload), `onStoredState` gets those bytes before they are integrated.
   * With `dormant`, such a document is not integrated at all: `doc` stays an empty shell until
   * `log.doc` is first read (document-content.ts), so its users must read it through `log`
   * (the room does). */
  async load(
    name: string,
    onStoredState?: (state: Uint8Array) => void,
    options: { dormant?: boolean } = {},
  ): Promise<{
    doc: Y.Doc;
    log: DocumentLog;
    storedState: Uint8Array | null;
    /** The newest seq the read covered (0: nothing stored): where bus catch-up starts. */
    headSeq: number;
  }> {
    const started = performance.now();
    const stored = await this.adapter.load(name);
    // A snapshot alone is the whole document, byte for byte what the Y.Doc is built from.
    const storedState =
      stored?.snapshot && stored.updates.length === 0 && !stored.damaged?.length
        ? stored.snapshot
        : null;
    if (storedState) onStoredState?.(storedState);
    const doc = new Y.Doc({ gc: true });
    const dormantState = options.dormant ? storedState : null;
    if (stored && !dormantState) {
      integrate(doc, stored);
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
      (l) => this.save(name, l),
      (seconds) => this.metrics.persistedAckSeconds.observe(seconds),
      dormantState,
    );
    if (stored) {
      log.count = stored.updates.length;
      log.bytes = stored.updates.reduce((sum, u) => sum + u.length, 0);
      log.snapshotBytes = stored.snapshot?.length ?? 0;
      // Damaged records were left out: rewrite the intact state so they stop mattering.
      if (stored.damaged?.length) this.markUnsaved(name, log);
    }
    doc.on('destroy', () => this.unsaved.delete(log));
    this.metrics.observeLoad(performance.now() - started);
    const headSeq = stored ? Math.max(stored.lastSeq, stored.compactedThrough) : 0;
    return { doc, log, storedState, headSeq };
  }

  /** Appends an update. Never rejects: a failed write is logged, counted and marked for repair
   * (save), which appends the full state. Returns the seq the store gave it, or null when the
   * write failed. */
  async append(name: string, log: DocumentLog, update: Uint8Array): Promise<number | null> {
    log.ack.writeStarted();
    const stored = this.metrics.storageAppendSeconds.startTimer();
    try {
      const seq = await this.adapter.append(name, update);
      stored();
      log.count++;
      log.bytes += update.length;
      this.metrics.updatesPersisted++;
      log.ack.writeEnded(true);
      // Compact as soon as the threshold is crossed, not after a whole burst of queued updates:
      // load time stays bounded however the updates arrive. A failing store is left to the retry.
      if (!log.needsRepair && !log.saving && this.shouldCompact(log)) void this.save(name, log);
      return seq;
    } catch (error) {
      this.metrics.persistenceErrors++;
      // While the whole store is known unreachable, that was said once (store-health.ts).
      const level = this.availability?.unavailableReason() ? 'debug' : 'error';
      this.log[level]('failed to append update', { doc: name, error: errorMessage(error) });
      this.markUnsaved(name, log);
      log.ack.writeEnded(false);
      return null;
    }
  }

  /** A compaction rewrites the whole snapshot, so its cost grows with the document: once the
   * snapshot passes `compactAfterBytes`, both thresholds grow in proportion to it. A big
   * document is then compacted when its log has grown about as big as its snapshot (each byte
   * appended pays for a bounded amount of rewriting, however big the document gets), and a load
   * still reads at most about twice the snapshot. Fixed thresholds rewrote a 16 MiB document
   * for every 1 MiB appended, stalling every room for a few hundred milliseconds each time. */
  shouldCompact(log: DocumentLog): boolean {
    const scale = Math.max(1, log.snapshotBytes / this.policy.compactAfterBytes);
    return (
      log.count >= this.policy.compactAfterUpdates * scale ||
      log.bytes >= this.policy.compactAfterBytes * scale
    );
  }

  /** Makes storage hold the whole document: repairs it if a write failed, then compacts when
   * `compact` says so (default: past the thresholds). Saves of one document run one after
   * another. Resolves whether storage now holds everything the document holds. Never rejects. */
  async save(name: string, log: DocumentLog, compact = this.shouldCompact(log)): Promise<boolean> {
    while (log.saving) await log.saving;
    const run = this.saveNow(name, log, compact);
    log.saving = run;
    try {
      return await run;
    } finally {
      log.saving = null;
    }
  }

  private async saveNow(name: string, log: DocumentLog, compact: boolean): Promise<boolean> {
    // While the store is known unreachable a repair would only fail, after encoding the whole
    // document: its return starts every repair at once (retryUnsavedNow).
    if (log.needsRepair && this.availability?.unavailableReason()) return false;
    if (log.needsRepair) {
      // Whatever fails from here on, the state encoded now is what a success makes whole again.
      log.needsRepair = false;
      const state = Y.encodeStateAsUpdate(log.doc);
      const seq = await this.append(name, log, state);
      // Stored, so other instances may have it (nothing unstored is ever published).
      if (seq !== null) log.onRepairStored?.(state, seq);
      if (seq === null || log.needsRepair) return false;
      this.log.info('document saved again after a storage failure', { doc: name });
      this.unsaved.delete(log);
      log.retry.reset();
      // The repaired state is one large update on top of the old rows (maybe damaged ones):
      // fold it into a snapshot now.
      compact = true;
    }
    // Appends that landed during a compaction may cross the threshold again: their triggers were
    // skipped while this save ran, so it goes on while compactions succeed and are still due.
    while (compact && (await this.compactFromStore(name, log))) compact = this.shouldCompact(log);
    return !log.needsRepair;
  }

  /** Rebuilds the document from the store's rows and replaces them with one snapshot; resolves
   * whether it did. A failure loses nothing (the rows stay as they were): it is logged and tried
   * again at the next save. */
  private async compactFromStore(name: string, log: DocumentLog): Promise<boolean> {
    const countAtStart = log.count;
    const bytesAtStart = log.bytes;
    let snapshotBytes: number;
    try {
      const stored = await this.adapter.load(name);
      if (stored === null) return false;
      const snapshot = await this.rebuild(stored);
      snapshotBytes = snapshot.length;
      const throughSeq = Math.max(stored.lastSeq, stored.compactedThrough);
      const cover = { throughSeq, baseSeq: stored.compactedThrough };
      if (!(await this.adapter.compact(name, snapshot, cover))) {
        this.log.info('compaction skipped: another writer compacted this document first', {
          doc: name,
        });
        return false;
      }
    } catch (error) {
      if (error instanceof RebuildStopped) return false; // shutting down: the rows stay as they are
      this.metrics.persistenceErrors++;
      const level = this.availability?.unavailableReason() ? 'debug' : 'error';
      this.log[level]('failed to compact document', { doc: name, error: errorMessage(error) });
      return false;
    }
    // Appends that landed while compacting stay in the log; only the covered ones are gone.
    log.count -= countAtStart;
    log.bytes -= bytesAtStart;
    log.snapshotBytes = snapshotBytes;
    this.metrics.compactions++;
    return true;
  }

  /** The stored document as one update: on the worker for a big one, else here. */
  private async rebuild(stored: StoredDocument): Promise<Uint8Array> {
    if (this.rebuilder.wants(stored)) {
      try {
        return await this.rebuilder.rebuild(stored);
      } catch (error) {
        // Bad bytes fail the same way here; a worker that died leaves the work to this thread.
        if (this.rebuilder.usable || error instanceof RebuildStopped) throw error;
      }
    }
    const rebuilt = new Y.Doc({ gc: true });
    integrate(rebuilt, stored);
    const snapshot = Y.encodeStateAsUpdate(rebuilt);
    rebuilt.destroy();
    return snapshot;
  }

  /** The byte store, for the bus's catch-up reads (bus/catch-up.ts). */
  get storage(): StorageAdapter {
    return this.adapter;
  }

  /** Why the store cannot promise durability right now, or null when it can. */
  unhealthyReason(): string | null {
    const unreachable = this.availability?.unavailableReason();
    if (unreachable) return unreachable;
    return this.unsavedReason();
  }

  /** What this instance wrote and could not make durable, or null when nothing: unlike
   * unhealthyReason, a store that merely failed its last probe (a stale pooled connection reset
   * after an outage) is not a loss when every document was saved. */
  unsavedReason(): string | null {
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
    this.unwatch();
    this.commit.close();
    void this.rebuilder.close();
  }

  sync(): Promise<void> {
    return this.adapter.sync();
  }

  /** The store is back: repair every unsaved document now instead of at its next backoff. */
  private retryUnsavedNow(): void {
    for (const log of this.unsaved) {
      log.retry.reset();
      log.retry.schedule();
    }
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

/** Applies a stored document to `doc` in one transaction. A function of its own so that no
 * closure `load` creates captures `stored`: those closures (the log's callbacks, the destroy
 * listener) live as long as the room, and V8 keeps every variable any closure of a function
 * captures in one shared context, so a transaction callback written inline kept each room's
 * stored snapshot alive for good (0.2 MiB per document in the benchmark, found in a heap
 * snapshot: BENCHMARKS.md, "Memory per open document"). */
function integrate(doc: Y.Doc, stored: StoredDocument): void {
  doc.transact(() => {
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored.updates) Y.applyUpdate(doc, update);
  });
}
