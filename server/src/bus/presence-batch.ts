/**
 * The one clock every room's presence batch runs on (busPresenceBatchMs), so the presence an
 * instance publishes for all its rooms goes out in one turn rather than one timer per room.
 *
 * Why: with a timer per room, twenty rooms with people typing published twenty presence
 * messages at twenty moments, each its own write to Redis; those writes were most of what
 * publishing cost in a three-instance scale-out profile. Published in one turn, they leave in
 * one write (redis-write-batch.ts) and reach the other instances in one read.
 *
 * The bound each room had stays: a tick fires at least `batchMs` after the previous one, and a
 * room publishes at most one message per tick, so a typing burst is still at most one message
 * per room per `batchMs`. A change waits at most `batchMs` (less when it joins a tick already
 * armed by another room).
 */
import { errorMessage, type Logger } from '../log.js';

/** A room's presence link with something to publish. */
export interface PresenceBatchMember {
  /** Publishes what the room batched since the last tick. */
  flushBatch(): void;
  readonly docName: string;
}

export class PresenceBatchClock {
  private readonly due = new Set<PresenceBatchMember>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** busPresenceBatchMs (default DEFAULT_BUS_PRESENCE_BATCH_MS, presence-link.ts). */
    readonly batchMs: number,
    private readonly log: Logger,
  ) {}

  /** `member` has changes: published at the next tick, armed now if none is. */
  add(member: PresenceBatchMember): void {
    this.due.add(member);
    if (this.timer) return;
    this.timer = setTimeout(() => this.tick(), this.batchMs);
    this.timer.unref();
  }

  /** `member` published by itself (it closed): not at the next tick. */
  remove(member: PresenceBatchMember): void {
    this.due.delete(member);
  }

  /** Shutdown: nothing more is published by the clock. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
  }

  private tick(): void {
    this.timer = null;
    const due = [...this.due];
    this.due.clear();
    for (const member of due) {
      // One room's failure must not keep the others' presence from going out.
      try {
        member.flushBatch();
      } catch (error) {
        this.log.error('bus presence publish failed', {
          doc: member.docName,
          error: errorMessage(error),
        });
      }
    }
  }
}
