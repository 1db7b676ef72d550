/**
 * Whether Redis still answers, for RedisBus's readiness. A frozen Redis (SIGSTOP, a stalled
 * link) keeps its TCP connection and ioredis keeps calling it 'ready': commands just queue. So a
 * PING goes out every `intervalMs` on a ready connection, at most one at a time; one that stays
 * unanswered for longer than `timeoutMs` makes Redis count as not answering until it returns.
 */
import type { Redis } from 'ioredis';

/** How often a PING checks Redis, in ms: one tiny command per interval and instance. */
export const LIVENESS_INTERVAL_MS = 1_000;
/** An unanswered PING older than this, in ms, means Redis is not answering. Local Redis answers
 * in well under a millisecond; this leaves room for a busy one. */
export const LIVENESS_TIMEOUT_MS = 2_000;

export class RedisLiveness {
  private sentAt: number | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly timeoutMs = LIVENESS_TIMEOUT_MS,
    intervalMs = LIVENESS_INTERVAL_MS,
  ) {
    this.timer = setInterval(() => this.ping(), intervalMs);
    this.timer.unref();
  }

  /** Why Redis counts as not answering, or null. */
  problem(): string | null {
    if (this.sentAt === null) return null;
    const waited = Date.now() - this.sentAt;
    return waited > this.timeoutMs ? `redis has not answered a PING for ${waited} ms` : null;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private ping(): void {
    if (this.sentAt !== null || this.redis.status !== 'ready') return;
    const sentAt = Date.now();
    this.sentAt = sentAt;
    // A failed PING (connection lost) is the connection status's business, not this one's.
    this.redis
      .ping()
      .catch(() => {})
      .finally(() => {
        if (this.sentAt === sentAt) this.sentAt = null;
      });
  }
}
