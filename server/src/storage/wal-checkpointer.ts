/**
 * WAL checkpoints off the main event loop.
 *
 * SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past
 * `wal_autocheckpoint` pages: that commit copies the WAL into the database file and fsyncs it, on
 * the main thread, stalling every document for milliseconds (tens on real disks). Instead the main
 * connection runs with `wal_autocheckpoint = 0` and a worker thread with its own connection to the
 * same file runs `PRAGMA wal_checkpoint(PASSIVE)`, which never blocks the main connection's
 * readers or its writer.
 *
 * - Trigger: the main thread estimates the WAL pages each commit writes and asks the worker for a
 *   checkpoint once CHECKPOINT_TRIGGER_PAGES have accumulated; at most one request is in flight.
 *   The worker also checkpoints on its own timer, so nothing waits forever for the next request.
 * - Safety valve: every CHECKPOINT_TRIGGER_PAGES the main thread looks at the WAL's size; past
 *   WAL_HARD_LIMIT_BYTES (worker stuck or failing, or a WAL that never gets fully checkpointed
 *   under constant load) it checkpoints on its own connection and logs it (a warning when the
 *   worker is unhealthy), so the WAL stays bounded whatever the worker does. `journal_size_limit`
 *   then trims the file back once it is reused.
 * - A worker that dies is logged and replaced by SQLite's own automatic checkpoint on the main
 *   connection: slower, never unsafe. Nothing here can crash the server.
 *
 * Durability is unchanged: a checkpoint only copies committed frames into the database file and
 * fsyncs that file before it lets the WAL be reused, with either connection.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { LatencySamples } from '../latency-samples.js';
import { errorMessage, type Logger } from '../log.js';
import { WAL_CHECKPOINT_WORKER_SOURCE } from './wal-checkpoint-worker.js';

/** WAL pages written since the last request before the main thread asks for a checkpoint.
 * 1000 is SQLite's default `wal_autocheckpoint`: about 4 MiB of WAL at the default page size,
 * the same amount of work per checkpoint as before, just on another thread. */
export const CHECKPOINT_TRIGGER_PAGES = 1000;

/** Pages a small commit writes besides its payload: measured at about 3.2 per append (the
 * `updates` table leaf, its `(doc, seq)` index leaf, the `documents` row and sometimes an interior
 * page). Only an estimate for the trigger; the worker's timer and the hard limit cover errors. */
export const ESTIMATED_PAGES_PER_COMMIT = 3;

/** How often the worker checkpoints on its own, whether asked or not. A checkpoint with nothing
 * new to copy costs microseconds and no fsync, so an idle server pays nothing; a quiet one gets
 * its few remaining frames into the database file within a second. Default 1000 ms. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/** After a checkpoint that could not cover the whole WAL because commits landed while it ran, the
 * worker retries after CHECKPOINT_CATCH_UP_MS, CHECKPOINT_CATCH_UPS times at most. Only a WAL that
 * was fully checkpointed before a commit began is reused from its start by that commit; otherwise
 * it keeps growing (until the hard limit). Each retry copies only the frames committed during the
 * previous one, so retries get shorter and one of them may fit between two commits; retrying at
 * once (0 ms) worked far better than waiting 100 ms in tests under constant writes. Defaults:
 * 0 ms, 5 retries (each costs two fsyncs on the worker, none on the main thread). */
export const CHECKPOINT_CATCH_UP_MS = 0;
export const CHECKPOINT_CATCH_UPS = 5;

/** Largest WAL file tolerated before the main thread checkpoints itself (safety valve). 64 MiB is
 * 16 checkpoints' worth of WAL, small enough that disk use and recovery time after a crash stay
 * modest. Besides a failing or stuck worker, constant heavy writes reach it too: the worker keeps
 * up, but a WAL is only reused from its start after a checkpoint that no commit overlapped, and
 * such a gap may never come. The main-thread checkpoint then only has the last few frames to copy
 * (plus its two fsyncs), once per 64 MiB of WAL instead of SQLite's full checkpoint per 4 MiB. */
export const WAL_HARD_LIMIT_BYTES = 64 * 1024 * 1024;

/** `journal_size_limit` for the main connection: once the WAL has been fully checkpointed, the
 * next commit truncates a WAL file larger than this. Without it a WAL that once grew (a burst, a
 * safety-valve episode) keeps its size forever. 16 MiB sits well above a healthy WAL (about
 * CHECKPOINT_TRIGGER_PAGES plus what is committed during a checkpoint), so normal operation never
 * truncates, and well below WAL_HARD_LIMIT_BYTES. */
export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

/** SQLite's default `wal_autocheckpoint`, restored on the main connection when the worker dies. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 1000;

/** How long close() waits for the worker to close its connection and exit before terminating it
 * (a worker stuck in a slow fsync). Terminating is safe: the checkpoint in progress finishes or
 * leaves the WAL as it was. Default 5 s. */
export const WORKER_STOP_TIMEOUT_MS = 5_000;

export interface CheckpointStats {
  /** Checkpoints run by the worker that copied frames. */
  checkpoints: number;
  /** Worker checkpoints that failed with an error. */
  checkpointFailures: number;
  /** Milliseconds per worker checkpoint that copied frames (worker-thread time, not a stall). */
  checkpointP50: number;
  checkpointP99: number;
  /** Safety-valve checkpoints run on the main thread because the WAL outgrew the hard limit, and
   * their milliseconds (these do stall the event loop). */
  mainThreadCheckpoints: number;
  mainThreadCheckpointP50: number;
  mainThreadCheckpointP99: number;
  /** Frames in the WAL, and how many of them are in the database file, at the last worker
   * checkpoint (equal: fully checkpointed; the next commit reuses the WAL from its start). */
  walFrames: number;
  walFramesCheckpointed: number;
  /** 'worker' while the worker runs (or ran, until close); 'main-thread' after it died: SQLite's
   * automatic checkpoint on the main connection. */
  mode: 'worker' | 'main-thread';
}

type WorkerMessage =
  | {
      type: 'checkpointed';
      requested: boolean;
      copied: boolean;
      ms: number;
      busy: number;
      log: number;
      checkpointed: number;
    }
  | { type: 'failed'; requested: boolean; message: string };

export interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** The main connection: its auto checkpoint is turned off while the worker runs. */
  db: Database.Database;
  /** The database file (the WAL is `${dbPath}-wal`). */
  dbPath: string;
  log: Logger;
}

export class WalCheckpointer {
  private readonly db: Database.Database;
  private readonly dbPath: string;
  private readonly walPath: string;
  private readonly log: Logger;
  private readonly pageSize: number;
  private worker: Worker | null = null;
  private stopping: Promise<void> | null = null;
  private mode: CheckpointStats['mode'] = 'worker';
  private inFlight = false;
  private pendingPages = 0;
  private failing = false;
  private checkpoints = 0;
  private failures = 0;
  private mainThreadCheckpoints = 0;
  private readonly latency = new LatencySamples();
  private readonly mainThreadLatency = new LatencySamples();
  private last: CheckpointRow = { busy: 0, log: 0, checkpointed: 0 };
  /** Callers of checkpointNow() waiting for the in-flight request's answer. */
  private waiters: ((row: CheckpointRow | null) => void)[] = [];

  constructor(options: WalCheckpointerOptions) {
    this.db = options.db;
    this.dbPath = options.dbPath;
    this.walPath = `${options.dbPath}-wal`;
    this.log = options.log;
    this.pageSize = Number(this.db.pragma('page_size', { simple: true })) || 4096;
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    this.db.pragma('wal_autocheckpoint = 0');
    try {
      this.worker = this.startWorker();
    } catch (error) {
      this.fallBack('could not start the WAL checkpoint worker', { error: errorMessage(error) });
    }
  }

  /** Called after every commit on the main connection with the payload bytes it wrote. */
  noteCommit(payloadBytes: number): void {
    if (this.mode !== 'worker' || this.stopping) return;
    this.pendingPages += ESTIMATED_PAGES_PER_COMMIT + Math.ceil(payloadBytes / this.pageSize);
    if (this.pendingPages < CHECKPOINT_TRIGGER_PAGES) return;
    this.pendingPages = 0;
    this.enforceHardLimit();
    this.request();
  }

  /** Runs a worker checkpoint now and resolves with its result (null: it failed, or there is no
   * worker). Covers every commit made before the call. */
  async checkpointNow(): Promise<CheckpointRow | null> {
    // An answer to a request posted earlier may predate the caller's commits: wait it out.
    while (this.inFlight) await this.nextAnswer();
    if (!this.request()) return null;
    return this.nextAnswer();
  }

  private nextAnswer(): Promise<CheckpointRow | null> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Asks the worker for a checkpoint unless one is in flight; false when there is no worker. */
  private request(): boolean {
    if (!this.worker) return false;
    if (this.inFlight) return true;
    this.inFlight = true;
    this.worker.postMessage({ type: 'checkpoint' });
    return true;
  }

  private answered(row: CheckpointRow | null): void {
    this.inFlight = false;
    for (const resolve of this.waiters.splice(0)) resolve(row);
  }

  stats(): CheckpointStats {
    return {
      checkpoints: this.checkpoints,
      checkpointFailures: this.failures,
      checkpointP50: this.latency.percentile(50),
      checkpointP99: this.latency.percentile(99),
      mainThreadCheckpoints: this.mainThreadCheckpoints,
      mainThreadCheckpointP50: this.mainThreadLatency.percentile(50),
      mainThreadCheckpointP99: this.mainThreadLatency.percentile(99),
      walFrames: this.last.log,
      walFramesCheckpointed: this.last.checkpointed,
      mode: this.mode,
    };
  }

  /** Makes the worker stop checkpointing and answering, as if stuck (tests of the safety valve). */
  simulateStuckWorker(): void {
    this.worker?.postMessage({ type: 'hang' });
  }

  /** Kills the worker as a crash would (tests of the fallback). */
  async killWorker(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Stops the worker: it closes its connection and exits (terminated after
   * WORKER_STOP_TIMEOUT_MS). The main connection's close then does the final checkpoint, as the
   * last connection to the database. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    // Unref'd while running; the process must not exit while close() waits for it.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), WORKER_STOP_TIMEOUT_MS);
    });
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.log.warn('WAL checkpoint worker did not stop in time; terminating it', {
        db: this.dbPath,
        timeoutMs: WORKER_STOP_TIMEOUT_MS,
      });
      await worker.terminate();
    }
    this.answered(null);
  }

  private startWorker(): Worker {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WAL_CHECKPOINT_WORKER_SOURCE, {
      eval: true,
      workerData: {
        driverPath: require.resolve('better-sqlite3'),
        dbPath: this.dbPath,
        intervalMs: CHECKPOINT_INTERVAL_MS,
        catchUpMs: CHECKPOINT_CATCH_UP_MS,
        catchUps: CHECKPOINT_CATCH_UPS,
      },
      // Checkpointing needs little: keep the thread's heap small.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    // A storage someone forgot to close must not keep the process alive.
    worker.unref();
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('error', (error) => {
      if (this.stopping) {
        this.log.warn('WAL checkpoint worker failed while stopping', {
          db: this.dbPath,
          error: errorMessage(error),
        });
      } else this.fallBack('WAL checkpoint worker failed', { error: errorMessage(error) });
    });
    worker.on('exit', (code) => {
      if (this.stopping) return;
      this.fallBack('WAL checkpoint worker exited', { exitCode: code });
    });
    return worker;
  }

  private onMessage(message: WorkerMessage): void {
    if (message.type === 'failed') {
      this.failures++;
      if (!this.failing) {
        this.log.error('WAL checkpoint failed', { db: this.dbPath, error: message.message });
      }
      this.failing = true;
      if (message.requested) this.answered(null);
      return;
    }
    if (this.failing) this.log.info('WAL checkpoint succeeded again', { db: this.dbPath });
    this.failing = false;
    const row = { busy: message.busy, log: message.log, checkpointed: message.checkpointed };
    this.last = row;
    if (message.copied) {
      this.checkpoints++;
      this.latency.add(message.ms);
    }
    if (message.requested) this.answered(row);
  }

  /** The safety valve: a WAL past the hard limit is checkpointed here, on the main thread. */
  private enforceHardLimit(): void {
    let size: number;
    try {
      size = statSync(this.walPath, { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      return; // Unreadable metadata says nothing about the WAL; the next commits look again.
    }
    if (size <= WAL_HARD_LIMIT_BYTES) return;
    this.mainThreadCheckpoints++;
    let row: CheckpointRow | undefined;
    let error: string | undefined;
    const started = performance.now();
    try {
      row = this.db.prepare<[], CheckpointRow>('PRAGMA wal_checkpoint(PASSIVE)').get();
    } catch (e) {
      error = errorMessage(e);
    }
    const ms = performance.now() - started;
    this.mainThreadLatency.add(ms);
    const fields = {
      db: this.dbPath,
      walBytes: size,
      limitBytes: WAL_HARD_LIMIT_BYTES,
      ms: Math.round(ms * 1000) / 1000,
      // busy=1: the worker holds the checkpoint lock (a checkpoint of its own is running).
      busy: row?.busy,
      frames: row?.log,
      checkpointed: row?.checkpointed,
      workerAnswering: !this.inFlight,
      error,
    };
    // A worker that fails, holds the checkpoint lock, or has not answered the previous request
    // after CHECKPOINT_TRIGGER_PAGES more pages is unhealthy. Otherwise the worker kept up and the
    // WAL merely never had a quiet moment to be reused (constant heavy writes): expected, info.
    if (this.failing || error !== undefined || row?.busy || this.inFlight) {
      this.log.warn(
        'WAL over its hard limit and the checkpoint worker is not keeping up: checkpointed on the main thread',
        fields,
      );
    } else {
      this.log.info(
        'WAL over its hard limit under constant writes: checkpointed on the main thread',
        fields,
      );
    }
  }

  /** The worker is gone: SQLite's automatic checkpoint on the main connection takes over. */
  private fallBack(message: string, fields: Record<string, string | number>): void {
    if (this.mode !== 'worker' || this.stopping) return;
    this.mode = 'main-thread';
    this.worker = null;
    this.answered(null);
    try {
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    } catch (error) {
      this.log.error('could not re-enable automatic WAL checkpoints', {
        db: this.dbPath,
        error: errorMessage(error),
      });
    }
    this.log.warn(`${message}; checkpointing on the main thread from now on`, {
      db: this.dbPath,
      ...fields,
    });
  }
}
