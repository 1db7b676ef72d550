/**
 * Per-connection message and byte budgets: two token buckets (`ratePerSecond` sustained, up to
 * `burst` at once), refilled lazily from the elapsed time. No timers.
 *
 * A message that arrives is always charged, even past the budget: it is already in memory, and
 * refusing it would lose an edit. The buckets then go into debt, and `charge` says how long the
 * connection must wait until both are out of it; the read throttle (read-throttle.ts) stops
 * reading the socket for that long. So a burst is taken in full, at the sustained rate.
 *
 * Every connection has one, so both buckets live in one small object of plain numbers (the limits
 * are shared by reference): at 10,000 sockets, three objects per connection instead of one cost
 * ≈ 2 MiB of heap for nothing.
 */
export interface RateLimits {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

/** Tokens in a bucket after `elapsedMs` at `ratePerSecond`, never above `burst`. */
function refilled(tokens: number, elapsedMs: number, ratePerSecond: number, burst: number): number {
  return Math.min(burst, tokens + (elapsedMs / 1000) * ratePerSecond);
}

export class ConnectionRateLimiter {
  private messageTokens: number;
  private byteTokens: number;
  private last: number;

  constructor(
    private readonly limits: RateLimits,
    now: number = performance.now(),
  ) {
    this.messageTokens = limits.messageBurst;
    this.byteTokens = limits.byteBurst;
    this.last = now;
  }

  /** Charges one message of `size` bytes; returns how many milliseconds until both budgets are
   * out of debt again (0: within budget). */
  charge(size: number, now: number = performance.now()): number {
    this.refill(now);
    this.messageTokens -= 1;
    this.byteTokens -= size;
    return this.waitMs();
  }

  /** Milliseconds until both budgets are out of debt, as of `now`. */
  delay(now: number = performance.now()): number {
    this.refill(now);
    return this.waitMs();
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    this.last = now;
    const { messagesPerSecond, messageBurst, bytesPerSecond, byteBurst } = this.limits;
    this.messageTokens = refilled(this.messageTokens, elapsed, messagesPerSecond, messageBurst);
    this.byteTokens = refilled(this.byteTokens, elapsed, bytesPerSecond, byteBurst);
  }

  private waitMs(): number {
    const messages =
      this.messageTokens < 0 ? -this.messageTokens / this.limits.messagesPerSecond : 0;
    const bytes = this.byteTokens < 0 ? -this.byteTokens / this.limits.bytesPerSecond : 0;
    return Math.max(messages, bytes) * 1000;
  }
}
