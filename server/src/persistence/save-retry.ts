/**
 * Retries a failed save with exponential backoff and jitter until it succeeds. Used per document:
 * after a failed write the document stays in memory and its full state is rewritten (repair) by
 * the next successful attempt, so a disk that comes back resumes saving by itself.
 */

/** First retry delay: a transient error (a busy disk, a brief EIO) usually clears this fast. */
export const SAVE_RETRY_INITIAL_MS = 100;
/** Longest delay between attempts: keeps a full disk from being hammered, yet saving resumes
 * within seconds of space returning. */
export const SAVE_RETRY_MAX_MS = 5_000;

export class SaveRetry {
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** `save` resolves true when the document is fully saved again. */
  constructor(private readonly save: () => Promise<boolean>) {}

  get pending(): boolean {
    return this.timer !== null;
  }

  schedule(): void {
    if (this.timer || this.stopped) return;
    const base = Math.min(SAVE_RETRY_MAX_MS, SAVE_RETRY_INITIAL_MS * 2 ** this.attempt);
    // Jitter spreads the retries of many documents that failed at the same moment.
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref();
  }

  /** A save succeeded some other way (e.g. an unload flush): start over from the short delay. */
  reset(): void {
    this.attempt = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  stop(): void {
    this.stopped = true;
    this.reset();
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    const saved = await this.save().catch(() => false);
    if (saved) {
      this.attempt = 0;
      return;
    }
    this.attempt++;
    this.schedule();
  }
}
