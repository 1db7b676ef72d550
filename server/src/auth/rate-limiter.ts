/**
 * A token bucket: `ratePerSecond` sustained, up to `burst` at once. No timers: the bucket is
 * refilled lazily from the elapsed time whenever it is asked.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number = performance.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `cost` tokens; false when the bucket does not hold that many. */
  take(cost = 1, now: number = performance.now()): boolean {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.ratePerSecond,
    );
    this.last = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

export interface RateLimits {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

/** Per-connection message and byte budgets. */
export class ConnectionRateLimiter {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: RateLimits) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst);
  }

  /** Whether a message of `size` bytes is within budget (both budgets are charged). */
  allow(size: number): boolean {
    const now = performance.now();
    const withinMessages = this.messages.take(1, now);
    const withinBytes = this.bytes.take(size, now);
    return withinMessages && withinBytes;
  }
}
