/**
 * The RedisBus's subscriber connection coming back. Pub/sub is at-most-once (the bus is still a
 * doorbell, bus/adapter.ts): whatever is published while this instance's subscriber connection
 * is down is gone. So ioredis reconnects by itself, this subscribes every open channel again,
 * and only then tells `onReconnect` listeners, which catch the open documents up from storage.
 * Until then the connection counts as in an outage: subscriptions are not live.
 */
import type { Redis } from 'ioredis';
import { errorMessage, type Logger } from '../log.js';

type Outage = { readonly over: Promise<void>; readonly end: () => void };

export class SubscriberReconnect {
  /** Set from the subscriber losing its connection until every channel is subscribed again. */
  private outage: Outage | null = null;
  private readyCount = 0;
  private everLive = false;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly subscriber: Redis,
    /** Every open channel's name, at the time of each (re)connect. */
    private readonly openChannels: () => Buffer[],
    private readonly log: Logger,
  ) {}

  /** The connection was lost and not every channel is subscribed again yet. */
  get resubscribing(): boolean {
    return this.outage !== null;
  }

  /** Resolves once no outage is going on. */
  async over(): Promise<void> {
    while (this.outage) await this.outage.over;
  }

  /** `listener` runs each time the subscriber connection is back after being lost and every
   * channel is live again: what was published meanwhile was missed. Returns the remover. */
  onReconnect(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On the subscriber connection's 'close'. */
  lost(): void {
    if (this.closed || this.outage) return;
    let end = () => {};
    const over = new Promise<void>((resolve) => (end = resolve));
    this.outage = { over, end };
    if (this.everLive) this.log.warn('redis bus lost its subscriber connection; reconnecting');
  }

  /** On every (re)connect ('ready'): subscribe every open channel, then report the outage over. */
  async resubscribe(): Promise<void> {
    const attempt = ++this.readyCount;
    const names = this.openChannels();
    try {
      if (names.length > 0) await this.subscriber.subscribe(...names);
    } catch (error) {
      // Lost again before Redis answered: the next 'ready' tries again.
      this.log.debug('redis bus resubscribe', { error: errorMessage(error) });
      return;
    }
    if (this.closed || attempt !== this.readyCount) return;
    const outage = this.outage;
    this.outage = null;
    outage?.end();
    const wasLive = this.everLive;
    this.everLive = true;
    if (!wasLive || !outage) return;
    this.log.info('redis bus reconnected', { channels: names.length });
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.log.error('redis bus reconnect listener failed', { error: errorMessage(error) });
      }
    }
  }

  /** Forgets the listeners and ends any outage, so nothing waits on it. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.outage?.end();
    this.outage = null;
  }
}
