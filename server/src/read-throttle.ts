/**
 * Throttle, don't disconnect: stops reading a connection's socket while it is over its message or
 * byte budget (auth/rate-limiter.ts), or while its document is still loading and it has sent more
 * than may be queued for it. TCP backpressure does the rest: what waits sits in the kernel's
 * socket buffers and the client's, not in this process, and nothing the client sent is lost.
 *
 * ws may still emit a few messages after a pause (those already read from the socket); they are
 * handled and charged as usual, which only lengthens the pause.
 */
import type { ConnectionRateLimiter } from './auth/rate-limiter.js';

/** The part of ws's WebSocket the throttle uses. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** A pause shorter than this is not worth a timer: the next turn's messages refill it anyway. */
const MIN_PAUSE_MS = 1;

export class ReadThrottle {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waitingForLoad = false;
  private paused = false;
  /** Times this connection was paused for its budget (for metrics). */
  pauses = 0;

  constructor(
    private readonly socket: Pausable,
    private readonly limiter: ConnectionRateLimiter,
  ) {}

  /** Whether reading is stopped for the budget (the heartbeat leaves such a socket alone: its
   * pongs wait unread in the same buffers). */
  get throttled(): boolean {
    return this.timer !== null;
  }

  /** Charges a message that arrived; pauses reading while the budget is in debt. */
  charge(size: number): void {
    const wait = this.limiter.charge(size);
    if (wait < MIN_PAUSE_MS || this.timer !== null) return;
    this.pauses++;
    this.schedule(wait);
    this.update();
  }

  /** Stops reading until `loaded()`: the connection's queue for a loading document is full. */
  holdUntilLoaded(): void {
    this.waitingForLoad = true;
    this.update();
  }

  loaded(): void {
    if (!this.waitingForLoad) return;
    this.waitingForLoad = false;
    this.update();
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const more = this.limiter.delay();
      if (more >= MIN_PAUSE_MS) this.schedule(more);
      else this.update();
    }, Math.ceil(wait));
  }

  private update(): void {
    const shouldPause = this.timer !== null || this.waitingForLoad;
    if (shouldPause === this.paused) return;
    this.paused = shouldPause;
    if (shouldPause) this.socket.pause();
    else this.socket.resume();
  }
}
