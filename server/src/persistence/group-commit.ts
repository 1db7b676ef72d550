/**
 * Group commit: one fsync for every write of a short window, shared by all documents.
 *
 * A document with new writes asks for a commit (`request`). The first request of a round starts a
 * timer of GROUP_COMMIT_WINDOW_MS; when it fires, each waiting document captures what it has
 * written so far (`prepare`), one `sync()` runs, and on success each document learns that the
 * captured state is durable (its persisted ack follows). Requests that arrive during the fsync
 * wait for the next round, so a commit never claims a write the fsync may not have covered.
 *
 * A failed fsync proves nothing about any write since the last good one (the OS may drop dirty
 * pages after an error), so every document with writes in that span is told to rewrite its state.
 */
import { errorMessage, type Logger } from '../log.js';
import { LatencySamples } from './latency-samples.js';

/** Longest a write waits for its fsync to start. Typing produces a few updates per second per
 * user; a 4 ms window still merges bursts from many users into one fsync, while the save
 * indicator turns "Saved" well within a 10 ms budget for the wait, plus the fsync itself. */
export const GROUP_COMMIT_WINDOW_MS = 4;

export interface CommitParticipant {
  /** Called right before the fsync: returns what to do once it succeeded, or null when the
   * participant has nothing committable now (a write still in flight, or a failed one awaiting
   * repair); it will request again when it has. */
  prepare(): (() => void) | null;
  /** The fsync failed: every write since the last good fsync must be rewritten. */
  syncFailed(): void;
}

export interface GroupCommitStats {
  fsyncs: number;
  fsyncFailures: number;
  /** Milliseconds per fsync. */
  fsyncP50: number;
  fsyncP99: number;
  /** Participants covered per fsync (mean). */
  documentsPerFsync: number;
  /** Requests (writes) covered per fsync (mean). */
  writesPerFsync: number;
}

export class GroupCommit {
  private readonly waiting = new Set<CommitParticipant>();
  private requestsWaiting = 0;
  private firstRequestAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failing = false;
  private closed = false;
  private fsyncs = 0;
  private fsyncFailures = 0;
  private documentsCovered = 0;
  private writesCovered = 0;
  private readonly latency = new LatencySamples();

  constructor(
    private readonly sync: () => Promise<void>,
    private readonly log: Logger,
    private readonly windowMs = GROUP_COMMIT_WINDOW_MS,
  ) {}

  /** True while the last fsync failed and none has succeeded since. */
  get isFailing(): boolean {
    return this.failing;
  }

  request(participant: CommitParticipant): void {
    if (this.closed) return;
    if (this.waiting.size === 0) this.firstRequestAt = performance.now();
    this.waiting.add(participant);
    this.requestsWaiting++;
    this.schedule();
  }

  /** Runs rounds until nothing waits (shutdown, tests). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.waiting.size > 0) await this.runRound();
      else return;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  stats(): GroupCommitStats {
    return {
      fsyncs: this.fsyncs,
      fsyncFailures: this.fsyncFailures,
      fsyncP50: this.latency.percentile(50),
      fsyncP99: this.latency.percentile(99),
      documentsPerFsync: this.fsyncs ? this.documentsCovered / this.fsyncs : 0,
      writesPerFsync: this.fsyncs ? this.writesCovered / this.fsyncs : 0,
    };
  }

  private schedule(): void {
    if (this.closed || this.timer || this.running || this.waiting.size === 0) return;
    const elapsed = performance.now() - this.firstRequestAt;
    const delay = Math.max(0, this.windowMs - elapsed);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runRound();
    }, delay);
  }

  private runRound(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const round = this.commit().finally(() => {
      this.running = null;
      this.schedule();
    });
    this.running = round;
    return round;
  }

  private async commit(): Promise<void> {
    const batch = [...this.waiting];
    const writes = this.requestsWaiting;
    this.waiting.clear();
    this.requestsWaiting = 0;
    const onDurable: (() => void)[] = [];
    for (const participant of batch) {
      const done = participant.prepare();
      if (done) onDurable.push(done);
    }
    if (onDurable.length === 0) return;
    const started = performance.now();
    try {
      await this.sync();
    } catch (error) {
      this.fsyncFailures++;
      if (!this.failing) this.log.error('fsync failed', { error: errorMessage(error) });
      this.failing = true;
      // Writes made during this fsync are no safer than the ones before it.
      for (const participant of new Set([...batch, ...this.waiting])) participant.syncFailed();
      return;
    }
    this.latency.add(performance.now() - started);
    this.fsyncs++;
    this.documentsCovered += onDurable.length;
    this.writesCovered += writes;
    if (this.failing) this.log.info('fsync succeeded again');
    this.failing = false;
    for (const done of onDurable) done();
  }
}
