/**
 * Keeps big writes' WAL checkpoints off the event loop.
 *
 * SQLite's automatic checkpoint runs inside whichever commit takes the WAL past
 * `wal_autocheckpoint` pages (1000, about 4 MiB), on the thread that commits: it copies every
 * page the WAL holds into the database file and fsyncs it. After a small commit that is a few
 * milliseconds; after a big one (a compaction rewriting an 8 MiB document, a pasted file) it is
 * the copy of that whole write, and measured alone it was three quarters of such a commit's time
 * (8 MiB: 172 ms with the checkpoint inside, 40 ms without). Every room of the instance waited.
 *
 * So a commit whose payload reaches BIG_WRITE_BYTES (1 MiB) runs with the automatic checkpoint off, and a
 * worker thread with its own connection copies its frames (`PRAGMA wal_checkpoint(PASSIVE)`,
 * which never blocks the main connection's reads or writes). When the worker is done, the main
 * thread finishes with a checkpoint of its own, which has only the frames committed meanwhile to
 * copy, and turns the automatic checkpoint back on. Small writes never involve the worker: a
 * server that only sees typing behaves exactly as SQLite does by default, and starts no thread
 * (a worker thread costs memory; docs/decisions.md). The worker starts on the first big write
 * and stops after IDLE_STOP_MS without one.
 *
 * Bounds and failures: while the automatic checkpoint is off, a WAL that has grown by more than
 * DEFERRED_LIMIT_BYTES (a stuck worker) is checkpointed on the main thread. A worker that fails or
 * exits is logged, and SQLite's automatic checkpoint takes over for good: slower, never unsafe.
 * Durability does not depend on any of this: a checkpoint only copies committed frames into the
 * database file, and fsyncs that file before the WAL is reused, on either connection.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { errorMessage, type Logger } from '../log.js';
import { SQLITE_CHECKPOINT_WORKER_SOURCE } from './sqlite-checkpoint-worker.js';

/** A commit with at least this much payload has its checkpoint done by the worker. 1 MiB is 256
 * pages: below it, an automatic checkpoint that happens to fall in the commit copies little more
 * than its usual 1000 pages; above, the commit's own pages dominate, and only then is the worker's
 * memory (its thread's heap and malloc arena, kept by the process) worth paying. */
export const BIG_WRITE_BYTES = 1024 * 1024;
/** The worker exits after this long without a big write. Default 30 s. */
export const IDLE_STOP_MS = 30_000;
/** Payload committed with the automatic checkpoint off after which the main thread checkpoints
 * anyway (the worker is stuck or slower than the writes). Default 64 MiB. */
export const DEFERRED_LIMIT_BYTES = 64 * 1024 * 1024;
/** SQLite's default `wal_autocheckpoint`, restored after each deferred checkpoint. */
const AUTOCHECKPOINT_PAGES = 1000;
/** How long close() waits for the worker to exit before terminating it. */
const STOP_TIMEOUT_MS = 5_000;

type WorkerMessage =
  | { type: 'checkpointed'; id: number; ms: number; busy: number; log: number }
  | { type: 'failed'; id: number; message: string };

export interface CheckpointerStats {
  /** Checkpoints the worker ran, and the longest one in ms (worker time, not a stall). */
  workerCheckpoints: number;
  workerMaxMs: number;
  /** Checkpoints the main thread ran to finish a deferred one, and the longest in ms. */
  finishingCheckpoints: number;
  finishingMaxMs: number;
  /** 'worker' while big writes go to the worker; 'automatic' after it failed. */
  mode: 'worker' | 'automatic';
  workerRunning: boolean;
}

export class SqliteCheckpointer {
  private worker: Worker | null = null;
  private mode: CheckpointerStats['mode'] = 'worker';
  /** The automatic checkpoint is off until the deferred checkpoint finishes. */
  private deferring = false;
  private inFlight = false;
  /** A big write landed after the request in flight was sent: its frames need another pass. */
  private bigSinceRequest = false;
  private deferredBytes = 0;
  private requestId = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly stats_ = {
    workerCheckpoints: 0,
    workerMaxMs: 0,
    finishingCheckpoints: 0,
    finishingMaxMs: 0,
  };

  constructor(
    private readonly db: Database.Database,
    private readonly dbPath: string,
    private readonly log: Logger,
    private readonly idleStopMs = IDLE_STOP_MS,
  ) {}

  /** Runs `commit`, a transaction that writes `payloadBytes`, and returns what it returns. */
  write<T>(payloadBytes: number, commit: () => T): T {
    const big = payloadBytes >= BIG_WRITE_BYTES && this.mode === 'worker' && !this.closed;
    if (big && !this.deferring) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.deferring = true;
    }
    const result = commit();
    if (!this.deferring) return result;
    this.deferredBytes += payloadBytes;
    if (big) {
      this.bigSinceRequest = true;
      this.request();
    }
    if (this.deferredBytes > DEFERRED_LIMIT_BYTES) {
      this.log.warn('WAL checkpoint worker is behind: checkpointing on the main thread', {
        db: this.dbPath,
        deferredBytes: this.deferredBytes,
      });
      this.finish();
    }
    return result;
  }

  stats(): CheckpointerStats {
    return { ...this.stats_, mode: this.mode, workerRunning: this.worker !== null };
  }

  /** Kills the worker as a crash would (tests of the fallback). */
  async killWorkerForTest(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Stops the worker (the main connection's close then checkpoints what is left, as the last
   * connection). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.deferring && this.db.open) this.finish();
    await this.stopWorker();
  }

  private request(): void {
    if (this.inFlight) return;
    let worker: Worker;
    try {
      worker = this.worker ?? this.startWorker();
    } catch (error) {
      this.fallBack('could not start the WAL checkpoint worker', errorMessage(error));
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.inFlight = true;
    this.bigSinceRequest = false;
    worker.postMessage({ type: 'checkpoint', id: ++this.requestId });
  }

  private onMessage(message: WorkerMessage): void {
    this.inFlight = false;
    if (this.closed) return;
    if (message.type === 'failed') {
      this.fallBack('WAL checkpoint on the worker failed', message.message);
      return;
    }
    this.stats_.workerCheckpoints++;
    this.stats_.workerMaxMs = Math.max(this.stats_.workerMaxMs, message.ms);
    if (this.bigSinceRequest) this.request();
    else this.finish();
  }

  /** The main thread's own checkpoint: what was committed since the worker's pass (or
   * everything, when the worker is gone), then the automatic checkpoint is back on. */
  private finish(): void {
    if (!this.deferring || !this.db.open) return;
    const started = performance.now();
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      // The automatic checkpoint retries at the next commit past the threshold.
      this.log.warn('WAL checkpoint failed', { db: this.dbPath, error: errorMessage(error) });
    }
    const ms = performance.now() - started;
    this.stats_.finishingCheckpoints++;
    this.stats_.finishingMaxMs = Math.max(this.stats_.finishingMaxMs, ms);
    this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.deferring = false;
    this.deferredBytes = 0;
    this.bigSinceRequest = false;
    if (this.worker && !this.inFlight && !this.closed) this.armIdleStop();
  }

  private armIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.inFlight && !this.deferring) void this.stopWorker();
    }, this.idleStopMs);
    this.idleTimer.unref();
  }

  private startWorker(): Worker {
    const require = createRequire(import.meta.url);
    const worker = new Worker(SQLITE_CHECKPOINT_WORKER_SOURCE, {
      eval: true,
      workerData: {
        driverUrl: pathToFileURL(require.resolve('better-sqlite3')).href,
        dbPath: this.dbPath,
      },
      // Checkpointing allocates next to nothing in JS: keep the thread's heap small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref(); // a storage nobody closed must not keep the process alive
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (error) => {
      if (this.worker === worker)
        this.fallBack('WAL checkpoint worker failed', errorMessage(error));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker)
        this.fallBack('WAL checkpoint worker exited', `exit code ${code}`);
    });
    this.worker = worker;
    return worker;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    this.inFlight = false;
    worker.ref(); // close() waits for it
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (late) await worker.terminate();
  }

  /** The worker is unusable: SQLite's automatic checkpoint on the main connection from now on. */
  private fallBack(message: string, error: string): void {
    if (this.mode !== 'worker') return;
    this.mode = 'automatic';
    const worker = this.worker;
    this.worker = null;
    this.inFlight = false;
    if (worker) void worker.terminate();
    this.log.warn(`${message}; checkpoints run inside commits from now on`, {
      db: this.dbPath,
      error,
    });
    this.finish();
  }
}
