/**
 * What the RedisBus publishes, on its publishing connection, within a bound. ioredis's offline
 * queue stays on (a publish right after start is not lost), bounded instead by the bytes Redis
 * has not acknowledged yet, which also covers a stalled Redis that stops answering: past the
 * bound messages are dropped, counted and logged once per run of drops.
 */
import type { Redis } from 'ioredis';
import { errorMessage, type Logger } from '../log.js';
import { TurnWriteBatch } from './redis-write-batch.js';

export class BoundedPublisher {
  /** The publisher's writes of one turn go out as one (redis-write-batch.ts). */
  private readonly writes: TurnWriteBatch;
  private pendingBytes = 0;
  private dropping = false;
  private stopped = false;
  private dropped = 0;

  constructor(
    private readonly publisher: Redis,
    /** Unacknowledged bytes beyond which `send` drops messages. */
    private readonly maxPendingBytes: number,
    private readonly log: Logger,
  ) {
    this.writes = new TurnWriteBatch(publisher);
  }

  /** Messages that did not get to Redis: refused, over the pending bound, or lost. */
  get droppedMessages(): number {
    return this.dropped;
  }

  /** Publishes `bytes` on `channel`; `docName` ('' for announcements) is only for the log. */
  send(channel: Buffer, bytes: Buffer, docName: string): void {
    if (this.pendingBytes > 0 && this.pendingBytes + bytes.length > this.maxPendingBytes) {
      this.drop(docName, 'Redis is not keeping up');
      return;
    }
    this.pendingBytes += bytes.length;
    this.writes.hold();
    this.publisher
      .publish(channel, bytes)
      .then(
        () => void (this.dropping = false),
        (error: unknown) => {
          if (!this.stopped) this.drop(docName, errorMessage(error));
        },
      )
      .finally(() => (this.pendingBytes -= bytes.length));
  }

  /** A message that could not even be encoded: counted with the drops, logged each time. */
  refused(docName: string, error: unknown): void {
    this.dropped++;
    this.log.warn('bus message not published', { doc: docName, error: errorMessage(error) });
  }

  /** Writes what the turn holds; publishes failing after this are the shutdown's, not drops. */
  stop(): void {
    this.stopped = true;
    this.writes.release();
  }

  private drop(docName: string, reason: string): void {
    this.dropped++;
    // Once per run of drops, not once per message: an outage would flood the log.
    if (this.dropping) return;
    this.dropping = true;
    this.log.warn('redis bus dropping messages', { doc: docName, reason });
  }
}
