/**
 * A reader that cannot keep up (a phone on a bad link, a stalled tab) is neither dropped silently
 * nor closed with a final code. Once its unsent bytes pass the high-water mark, nothing more is
 * queued for it, so server memory stays bounded. What it missed is not kept either: it is implied
 * by where the reader was when the first document frame was dropped (the state before that
 * update), and once the socket drains, the room sends one sync step 2 computed from the document
 * against that state, plus the current presence — a resync in place, without a reconnect. Only a
 * reader that does not drain within the timeout is closed, with 1013 (try again later).
 */

/** A document state: client ID → clock (a decoded state vector). */
export type DocState = ReadonlyMap<number, number>;

/** The part of net.Socket watched here. */
export interface DrainableSocket {
  readonly writableLength: number;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export interface SlowReaderEvents {
  /** The socket drained: send what was missed since `missedFrom` (null: no document frame was
   * dropped, only presence and acks), then call `caughtUp()`. */
  drained(missedFrom: DocState | null): void;
  /** It did not drain in time. */
  timedOut(): void;
}

export class SlowReader {
  private lagging = false;
  /** The resync starts here: the lowest document state among the dropped frames. */
  private missedFrom: Map<number, number> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private resyncing = false;
  /** How often this reader fell behind (for metrics). */
  episodes = 0;

  constructor(
    private readonly socket: DrainableSocket,
    private readonly highWaterBytes: number,
    private readonly timeoutMs: number,
    private readonly events: SlowReaderEvents,
  ) {}

  /** Whether `frame` must be dropped instead of written. A frame that carries a document change
   * passes `covers`, the state the reader had before it. */
  shouldDrop(covers?: DocState): boolean {
    if (!this.lagging) {
      if (this.socket.writableLength <= this.highWaterBytes) return false;
      this.startLagging();
    }
    if (covers !== undefined && !this.resyncing) this.missedFrom = lowerOf(this.missedFrom, covers);
    return true;
  }

  /** The resync was sent: frames go out again. */
  caughtUp(): void {
    this.lagging = false;
    this.resyncing = false;
    this.missedFrom = null;
  }

  destroy(): void {
    this.stopWaiting();
  }

  private startLagging(): void {
    this.lagging = true;
    this.episodes++;
    this.socket.once('drain', this.onDrain);
    this.timer = setTimeout(() => {
      this.stopWaiting();
      this.events.timedOut();
    }, this.timeoutMs);
  }

  private readonly onDrain = (): void => {
    this.stopWaiting();
    // Frames dropped from here until the resync is sent are covered by it: it is computed now,
    // from the document as it is, and sent after every write queued before it.
    this.resyncing = true;
    this.events.drained(this.missedFrom);
  };

  private stopWaiting(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.socket.off('drain', this.onDrain);
  }
}

/** The per-client minimum of two states (a client missing from either counts as clock 0). */
function lowerOf(current: Map<number, number> | null, other: DocState): Map<number, number> {
  if (current === null) return new Map(other);
  for (const [client, clock] of current) {
    const otherClock = other.get(client);
    if (otherClock === undefined) current.delete(client);
    else if (otherClock < clock) current.set(client, otherClock);
  }
  return current;
}
