/**
 * Jittered exponential backoff for reconnects. Jitter matters: when a server restarts, every
 * client lost its socket at the same instant, and un-jittered retries would all arrive together.
 */
export interface BackoffOptions {
  /** First delay's upper bound. Default 250 ms: a restarted server is usually back quickly. */
  baseMs?: number;
  /** Cap on any delay. Default 5000 ms: an offline user should not wait long once it is back. */
  maxMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_MAX_MS = 5000;

/**
 * "Equal jitter": half the exponential step is fixed, half is random, so delays still grow with
 * each failure (unlike full jitter, which can retry instantly forever) yet never synchronise.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const max = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    return backoffDelay(this.attempt++, this.options);
  }

  /** Call once a connection did useful work (synced). */
  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
