/**
 * Throttle, don't disconnect: stops reading a connection's socket while it is over its message or
 * byte budget (auth/rate-limiter.ts), or while its document is still loading and it has sent more
 * than may be queued for it. TCP backpressure does the rest: what waits sits in the kernel's
 * socket buffers and the client's, not in this process, and nothing the client sent is lost.
 *
 * Pausing a socket does not stop the messages ws has already read from it: one read can hold
 * thousands of small frames. Those are held here, a bounded amount (one socket read's worth),
 * and released at the budget's rate, a few per tick, instead of all at once in one turn: a
 * flooding client then costs everyone else a steady trickle, not a stall.
 */
import type { ConnectionRateLimiter } from '../guards/rate-limiter.js';

/** The part of ws's WebSocket the throttle uses. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Shortest wait between two releases of held messages: a few accumulate per tick, so a flood
 * costs one timer per tick, not one per message. */
const MIN_TICK_MS = 10;

export class ReadThrottle<M> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waitingForLoad = false;
  private paused = false;
  /** Messages that arrived over budget, oldest first from `heldHead`, with their sizes. */
  private held: { message: M; size: number }[] = [];
  private heldHead = 0;
  /** Times this connection went over its budget (for metrics). */
  pauses = 0;

  constructor(
    private readonly socket: Pausable,
    private readonly limiter: ConnectionRateLimiter,
    /** Handles a message once the budget allows it. */
    private readonly deliver: (message: M) => void,
  ) {}

  /** Whether reading is stopped for the budget (the heartbeat leaves such a socket alone: its
   * pongs wait unread in the same buffers). */
  get throttled(): boolean {
    return this.timer !== null;
  }

  /** A message arrived: delivered now if the budget allows, else held until it does. */
  receive(message: M, size: number): void {
    if (this.timer !== null) {
      this.held.push({ message, size });
      return;
    }
    const wait = this.limiter.charge(size);
    this.deliver(message);
    if (wait > 0) this.overBudget(wait);
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

  /** Drops held messages and the timer (the connection closed). */
  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.held = [];
    this.heldHead = 0;
  }

  private overBudget(wait: number): void {
    this.pauses++;
    this.schedule(wait);
    this.update();
  }

  private schedule(wait: number): void {
    this.timer = setTimeout(this.release, Math.max(MIN_TICK_MS, Math.ceil(wait)));
  }

  /** Delivers held messages while the budget allows; reads the socket again once none is left. */
  private readonly release = (): void => {
    this.timer = null;
    let wait = this.limiter.delay();
    while (wait === 0 && this.heldHead < this.held.length) {
      const next = this.held[this.heldHead++]!;
      wait = this.limiter.charge(next.size);
      this.deliver(next.message); // may close the connection, which empties `held`
    }
    if (this.heldHead >= this.held.length) {
      this.held = [];
      this.heldHead = 0;
    }
    if (wait > 0 || this.held.length > 0) this.schedule(Math.max(wait, 1));
    this.update();
  };

  private update(): void {
    const shouldPause = this.timer !== null || this.waitingForLoad;
    if (shouldPause === this.paused) return;
    this.paused = shouldPause;
    if (shouldPause) this.socket.pause();
    else this.socket.resume();
  }
}
