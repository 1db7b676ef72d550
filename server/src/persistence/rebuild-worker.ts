/**
 * Rebuilds big documents for compaction on a worker thread, so the event loop does not stall.
 *
 * A compaction integrates the stored snapshot and log into a fresh Y.Doc and encodes it
 * (document-store.ts). For a document of several MiB that is tens to hundreds of milliseconds of
 * CPU during which no room of the instance is served: in the slow-consumer benchmark it was the
 * largest stall left after the thresholds were scaled (decision 18). Documents whose stored bytes
 * reach OFFLOAD_BYTES are rebuilt here instead; smaller ones stay on the event loop, where a
 * rebuild costs less than the message round trip.
 *
 * The worker starts on the first big compaction and stops after IDLE_STOP_MS without one: an
 * instance that never compacts a big document starts no thread (a worker thread costs memory;
 * docs/decisions.md). A worker that fails or exits is logged and the rebuilds go back to the
 * event loop for good: slower, never wrong. The worker does exactly what the event loop would
 * (rebuild-worker-source.ts), so where it runs changes no byte of the snapshot.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StoredDocument } from '../storage/adapter.js';
import { errorMessage, type Logger } from '../log.js';
import { REBUILD_WORKER_SOURCE } from './rebuild-worker-source.js';

/** Stored bytes (snapshot plus log) from which a rebuild runs on the worker. Default 4 MiB: a
 * rebuild costs about 10 ms per MiB here, and the worker thread costs memory of its own (its heap
 * and malloc arenas, tens of MiB, which the process keeps), worth it only against longer stalls. */
export const OFFLOAD_BYTES = 4 * 1024 * 1024;
/** The worker exits after this long without a rebuild. Default 30 s. */
export const IDLE_STOP_MS = 30_000;

/** A rebuild that the worker's stop cut short (shutdown): not a failure worth an error line. */
export class RebuildStopped extends Error {}

type Answer = { id: number; state: Uint8Array } | { id: number; error: string };

export class RebuildWorker {
  private worker: Worker | null = null;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve(state: Uint8Array): void; reject(error: Error): void }
  >();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Rebuilds the worker did (for tests and diagnostics). */
  rebuilds = 0;

  constructor(
    private readonly log: Logger,
    private readonly idleStopMs = IDLE_STOP_MS,
  ) {}

  /** Whether rebuilds can still go to the worker (false once it failed). */
  get usable(): boolean {
    return !this.failed;
  }

  /** Whether `stored` should be rebuilt here rather than on the event loop. */
  wants(stored: StoredDocument): boolean {
    if (this.failed) return false;
    let bytes = stored.snapshot?.length ?? 0;
    for (const update of stored.updates) bytes += update.length;
    return bytes >= OFFLOAD_BYTES;
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /** The document `stored` holds, encoded as one update. Rejects when the bytes are not valid
   * Yjs updates, or the worker failed (then `wants` says false from now on). */
  rebuild(stored: StoredDocument): Promise<Uint8Array> {
    const worker = this.worker ?? this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, snapshot: stored.snapshot, updates: stored.updates });
    });
  }

  /** Stops the worker; rebuilds still waiting are rejected. */
  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.stop();
  }

  /** Kills the worker as a crash would (tests of the fallback). */
  async killForTest(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): Worker {
    const require = createRequire(import.meta.url);
    const worker = new Worker(REBUILD_WORKER_SOURCE, {
      eval: true,
      workerData: { yjsUrl: pathToFileURL(require.resolve('yjs')).href },
    });
    worker.unref(); // a store nobody closed must not keep the process alive
    worker.on('message', (answer: Answer) => this.onAnswer(answer));
    worker.on('error', (error) => this.fail(worker, `failed: ${errorMessage(error)}`));
    worker.on('exit', (code) => this.fail(worker, `exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private onAnswer(answer: Answer): void {
    const waiter = this.waiting.get(answer.id);
    this.waiting.delete(answer.id);
    if ('error' in answer) waiter?.reject(new Error(answer.error));
    else {
      this.rebuilds++;
      waiter?.resolve(answer.state);
    }
    if (this.waiting.size === 0) this.armIdleStop();
  }

  private armIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.waiting.size === 0) void this.stop();
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    for (const waiter of this.waiting.values()) waiter.reject(new RebuildStopped('stopped'));
    this.waiting.clear();
    await worker.terminate();
  }

  /** The worker is unusable: rebuilds run on the event loop from now on. */
  private fail(worker: Worker, what: string): void {
    if (this.worker !== worker) return; // stopped on purpose
    this.worker = null;
    this.failed = true;
    this.rejectAll(`the rebuild worker ${what}`);
    this.log.warn(`compaction rebuild worker ${what}; rebuilding on the event loop from now on`);
  }

  private rejectAll(reason: string): void {
    for (const waiter of this.waiting.values()) waiter.reject(new Error(reason));
    this.waiting.clear();
  }
}
