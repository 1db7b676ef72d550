/**
 * One loaded room's connection to the bus, which is a doorbell, not a store (bus/adapter.ts).
 *
 * Subscribed before the room's state is read from storage, so nothing published in between is
 * missed; messages are buffered until the room exists, then other instances' stored changes are
 * applied with the 'bus' origin (relayed to this instance's peers, neither stored nor published
 * again: room/change-origin.ts). This instance's own stored changes are published with the seq
 * the store gave them.
 *
 * Every message carries its seq, and a SeqTracker (bus/seq-tracker.ts) knows which ones the
 * room holds: what it has is ignored (a duplicate, or a change the storage read already had); a
 * gap is filled from storage after a short grace (bus/catch-up.ts). Catch-ups also follow a bus
 * reconnect, a late subscription and the periodic head check (bus/room-links.ts).
 *
 * The bus being down never keeps a document from opening: a subscribe that fails or takes too
 * long leaves the room served locally while the subscription is retried in the background; once
 * it is live, the room catches up from storage on what it missed.
 *
 * A bad message (malformed, or bytes Yjs refuses) or a failing catch-up is logged with the
 * document, counted, and affects nothing else: not other documents, not this one's later
 * messages.
 */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Room } from '../room/room.js';
import type { BusEnvelope, BusMessage, DocumentBus } from './adapter.js';
import { mergeTail, type CatchUpReader } from './catch-up.js';
import { RetryingSubscription } from './retrying-subscription.js';
import { SeqTracker } from './seq-tracker.js';

/** How long a gap may stay open before it is filled from storage: messages from different
 * publishers may arrive out of order. */
export const GAP_GRACE_MS = 100;
/** Messages kept while the room loads; past it, the room catches up from storage instead. */
const MAX_BUFFERED = 1_000;

export type CatchUpReason = 'gap' | 'check' | 'reconnect' | 'subscribed';

export interface RoomBusLinkDeps {
  bus: DocumentBus;
  reader: CatchUpReader;
  /** StorageAdapter.gaplessSeqs. */
  gapless: boolean;
  log: Logger;
  metrics: Metrics;
  /** Called once when the link is closed. */
  onClose?(link: RoomBusLink): void;
}

export class RoomBusLink {
  /** Other instances' presence for this room (bus/presence-link.ts). Set before `attach`:
   * presence buffered during the load goes to it. */
  onPresence: ((envelope: BusEnvelope) => void) | null = null;
  private room: Room | null = null;
  private tracker: SeqTracker | null = null;
  private buffered: BusEnvelope[] | null = [];
  private readonly subscription: RetryingSubscription;
  private closed = false;
  /** Something may have been missed before the room existed: catch up once attached and live. */
  private catchUpWhenLive = false;
  private gapTimer: NodeJS.Timeout | null = null;
  /** A message with a seq was refused (its predecessor is missing): it is not held, and the
   * next gap timer reads it from storage even if no gap is visible. */
  private refusedSeq = false;
  private catching: Promise<void> | null = null;
  private again = false;
  private failing = false;

  /** Starts subscribing for `docName`; wait for `ready()` before reading storage. */
  constructor(
    readonly docName: string,
    private readonly deps: RoomBusLinkDeps,
  ) {
    this.subscription = new RetryingSubscription(deps.bus, docName, (e) => this.receive(e), {
      log: deps.log,
      metrics: deps.metrics,
      onLive: () => this.subscriptionLive(),
    });
  }

  /** Resolves once the subscription is live, or its first attempt failed, or after
   * SUBSCRIBE_WAIT_MS (retrying-subscription.ts): a load never waits longer for the bus. */
  ready(): Promise<void> {
    return this.subscription.ready();
  }

  /** Whether messages published now reach this link. */
  get subscribed(): boolean {
    return this.subscription.subscribed;
  }

  /** The room is loaded from a read that covered every seq up to `headSeq`. Applies what
   * arrived meanwhile and is newer. `readWhileSubscribed`: the read started after the
   * subscription was live; otherwise what was published before it went live is fetched from
   * storage once it is. */
  attach(room: Room, headSeq: number, readWhileSubscribed: boolean): void {
    if (this.closed) return;
    this.room = room;
    this.tracker = new SeqTracker(this.deps.gapless, headSeq);
    const buffered = this.buffered ?? [];
    this.buffered = null;
    for (const envelope of buffered) this.receive(envelope);
    if (!readWhileSubscribed) this.catchUpWhenLive = true;
    if (this.subscribed) this.subscriptionLive();
  }

  /** A change this instance stored as `seq`: the other instances' doorbell. */
  publish(update: Uint8Array, seq: number): void {
    if (this.closed) return;
    this.tracker?.take(seq); // the room has it: its echo, or a message racing it, is ignored
    this.deps.bus.publish(this.docName, { kind: 'update', update, seq });
    if (this.tracker?.hasGap) this.armGapTimer();
  }

  /** Whether the store's head says the room lacks something. */
  behind(headSeq: number): boolean {
    return this.tracker !== null && !this.closed && this.tracker.behind(headSeq);
  }

  /** Reads from storage what the room lacks and merges it. One at a time: a request during a
   * catch-up runs once more after it. Never rejects; a failure is logged and counted, and the
   * next periodic check tries again. */
  catchUp(reason: CatchUpReason): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.room) {
      // Still loading (e.g. a bus reconnect while the read ran): once attached.
      this.catchUpWhenLive = true;
      return Promise.resolve();
    }
    if (this.catching) {
      this.again = true;
      return this.catching;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.catchUpOnce(reason);
      } while (this.again && !this.closed);
    };
    this.catching = run().finally(() => (this.catching = null));
    return this.catching;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.room = null;
    this.buffered = null;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.deps.onClose?.(this);
    await this.subscription.close();
  }

  /** Once both the room and the subscription exist: what was published before the
   * subscription went live, and not in the read the room was loaded from, is in storage. */
  private subscriptionLive(): void {
    if (!this.room || !this.catchUpWhenLive) return;
    this.catchUpWhenLive = false;
    void this.catchUp('subscribed');
  }

  /** The bus's handler: whatever happens here stays here (see the top). */
  private receive(envelope: BusEnvelope): void {
    try {
      this.handle(envelope);
    } catch (error) {
      this.deps.metrics.busMessagesRefused++;
      this.deps.log.error('bus message failed', {
        doc: this.docName,
        from: envelope?.instanceId,
        error: errorMessage(error),
      });
    }
  }

  private handle(envelope: BusEnvelope): void {
    if (this.closed) return;
    const { metrics, log } = this.deps;
    if (this.buffered) {
      if (this.buffered.length < MAX_BUFFERED) this.buffered.push(envelope);
      else this.catchUpWhenLive = true; // storage has whatever is dropped here
      return;
    }
    const message: unknown = envelope?.message;
    if (!wellFormed(message)) {
      metrics.busMessagesMalformed++;
      log.warn('malformed bus message dropped', {
        doc: this.docName,
        from: typeof envelope?.instanceId === 'string' ? envelope.instanceId : undefined,
      });
      return;
    }
    if (message.kind === 'awareness') {
      this.onPresence?.(envelope);
      return;
    }
    const room = this.room;
    const tracker = this.tracker;
    if (!room || !tracker) return;
    metrics.busMessagesReceived++;
    const { seq } = message;
    if (seq !== undefined && tracker.has(seq)) return; // a duplicate, or what the load read
    // How far ahead of what this instance holds (1: the next one); gapless seqs only.
    if (seq !== undefined && tracker.gapless) metrics.busSeqDistance.observe(seq - tracker.held);
    if (room.apply(message.update, { kind: 'bus' }) === 'refused') {
      // Bytes Yjs refused, or an update whose predecessor is missing (reordered or lost): not
      // held, so a catch-up reads it again, after what it depends on.
      metrics.busMessagesRefused++;
      log.warn('bus update refused', { doc: this.docName, from: envelope.instanceId, seq });
      if (seq !== undefined) {
        this.refusedSeq = true;
        this.armGapTimer();
      }
    } else if (seq !== undefined) {
      tracker.take(seq);
    }
    if (tracker.hasGap) this.armGapTimer();
  }

  private armGapTimer(): void {
    if (this.gapTimer || this.closed) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (!this.tracker?.hasGap && !this.refusedSeq) return; // filled by a late message
      this.deps.metrics.busGapRepairs++;
      void this.catchUp('gap');
    }, GAP_GRACE_MS);
    this.gapTimer.unref();
  }

  private async catchUpOnce(reason: CatchUpReason): Promise<void> {
    const { reader, log, metrics } = this.deps;
    const room = this.room;
    const tracker = this.tracker;
    if (!room || !tracker) return;
    this.refusedSeq = false;
    const before = tracker.aboveNow();
    const timer = metrics.busCatchUpSeconds.startTimer({ reason });
    try {
      let tail = await reader.readTail(this.docName, tracker.held);
      if (this.closed || this.room !== room) return;
      metrics.busCatchUps++;
      if (tail && mergeTail(room, tail) === 'refused' && tracker.held > 0) {
        // The document lacks something the tail builds on: merge the whole stored state.
        tail = await reader.readTail(this.docName, 0);
        if (this.closed || this.room !== room) return;
        if (tail && mergeTail(room, tail) === 'refused') {
          metrics.busMessagesRefused++;
          log.warn('stored updates refused during catch-up', { doc: this.docName, reason });
        }
      }
      for (const problem of tail?.damaged ?? []) {
        log.error('damaged stored record', { doc: this.docName, problem });
      }
      // No tail: nothing is stored under this name at all.
      tracker.caughtUp(tail ? tail.headSeq : 0, before);
      timer();
      if (this.failing) log.info('bus catch-up from storage works again', { doc: this.docName });
      this.failing = false;
    } catch (error) {
      metrics.busCatchUpFailures++;
      // Once per run of failures; the periodic check retries.
      if (!this.failing) {
        log.warn('bus catch-up from storage failed; retrying later', {
          doc: this.docName,
          reason,
          error: errorMessage(error),
        });
      }
      this.failing = true;
      return;
    }
    if (tracker.hasGap) this.armGapTimer();
  }
}

/** A message the bus interface allows, checked field by field: a bus is a network input. */
function wellFormed(message: unknown): message is BusMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { kind?: unknown; update?: unknown; seq?: unknown };
  if (!(m.update instanceof Uint8Array)) return false;
  if (m.kind === 'awareness') return true;
  if (m.kind !== 'update') return false;
  return m.seq === undefined || (Number.isSafeInteger(m.seq) && (m.seq as number) >= 1);
}
