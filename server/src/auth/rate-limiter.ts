/**
 * Per-connection message and byte budgets: two token buckets (`ratePerSecond` sustained, up to
 * `burst` at once), refilled lazily from the elapsed time whenever a message arrives. No timers.
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

  /** Whether a message of `size` bytes is within both budgets (each is charged if it holds
   * enough; a connection over budget is closed anyway). */
  allow(size: number, now: number = performance.now()): boolean {
    const elapsed = now - this.last;
    this.last = now;
    const { messagesPerSecond, messageBurst, bytesPerSecond, byteBurst } = this.limits;
    this.messageTokens = refilled(this.messageTokens, elapsed, messagesPerSecond, messageBurst);
    this.byteTokens = refilled(this.byteTokens, elapsed, bytesPerSecond, byteBurst);
    const withinMessages = this.messageTokens >= 1;
    const withinBytes = this.byteTokens >= size;
    if (withinMessages) this.messageTokens -= 1;
    if (withinBytes) this.byteTokens -= size;
    return withinMessages && withinBytes;
  }
}
