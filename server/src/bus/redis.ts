/**
 * RedisBus: the DocumentBus over Redis pub/sub, so several Quire processes can serve one
 * document. One channel per document and one for instance announcements (heartbeats, goodbyes),
 * named in redis-channels.ts, carrying the binary envelopes of redis-codec.ts. Two connections:
 * one in subscriber mode can run nothing but (UN)SUBSCRIBE, so publishing needs its own.
 *
 * This file sets up the connections and answers for the bus as a whole (health, subscribe,
 * close). Beside it: what is published and its bound (redis-publisher.ts), which channels are
 * open (redis-channels.ts), handing what arrives to the subscribers (redis-receive.ts), and
 * subscribing every channel again after the subscriber connection was lost
 * (redis-resubscribe.ts).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisLiveness } from './redis-liveness.js';
import { createConsoleLogger, errorMessage, type Logger } from '../log.js';
import type {
  BusHandler,
  BusMessage,
  DocumentBus,
  InstanceHandler,
  InstanceMessage,
} from './adapter.js';
import { encodeBusMessage, encodeInstanceId, encodeInstanceMessage } from './redis-codec.js';
import {
  documentChannelName,
  instanceChannelName,
  RedisChannels,
  type Subscription,
} from './redis-channels.js';
import { BoundedPublisher } from './redis-publisher.js';
import { deliverToSubscribers } from './redis-receive.js';
import { SubscriberReconnect } from './redis-resubscribe.js';
import { withTimeout } from './redis-timeout.js';

export interface RedisBusOptions {
  /** Redis to connect to, e.g. `redis://127.0.0.1:6379` (`rediss://` for TLS). Required. */
  url: string;
  /** Starts every channel name, so deployments can share one Redis. Default `'quire:'`. */
  keyPrefix?: string;
  /** Stamped on what this instance publishes (1–255 bytes of UTF-8). Default a random UUID. */
  instanceId?: string;
  /** Default: a console logger at level 'info'. Never given a payload. */
  logger?: Logger;
  /** How long `subscribe` waits for Redis to confirm before it rejects, and the returned
   * unsubscribe function for its UNSUBSCRIBE before it gives up. Default 5 000 ms. */
  subscribeTimeoutMs?: number;
  /** Published bytes Redis has not acknowledged yet (queued while the connection is down,
   * stuck while Redis stalls) beyond which `publish` drops messages. Default 16 MiB. */
  maxPendingPublishBytes?: number;
}

export class RedisBus implements DocumentBus {
  readonly instanceId: string;
  private readonly idBytes: Buffer;
  private readonly keyPrefix: string;
  private readonly log: Logger;
  private readonly subscribeTimeoutMs: number;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly liveness: RedisLiveness;
  private readonly outbound: BoundedPublisher;
  private readonly channels: RedisChannels;
  private readonly reconnect: SubscriberReconnect;
  private closed = false;
  private malformed = 0;

  constructor(options: RedisBusOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.idBytes = encodeInstanceId(this.instanceId);
    this.keyPrefix = options.keyPrefix ?? 'quire:';
    this.log = options.logger ?? createConsoleLogger();
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5_000;
    // The offline queue stays on; BoundedPublisher bounds what it may hold.
    this.publisher = new Redis(options.url);
    // Resubscribing is done here, not by ioredis's autoResubscribe: that one only restores
    // channels Redis had confirmed and does not say when it is done, and onReconnect must only
    // fire once every channel is live again (redis-resubscribe.ts). Commands queued while
    // disconnected are failed after every 20 attempts (ioredis's maxRetriesPerRequest), which
    // keeps that queue bounded and loses nothing: every open channel is subscribed again on the
    // next connection.
    // No ready check: its INFO can reach Redis after a SUBSCRIBE issued while connecting, and is
    // then refused ("Connection in subscriber mode"), failing that subscription (~1 start in 6).
    // A subscriber needs no loaded dataset anyway.
    this.subscriber = new Redis(options.url, { autoResubscribe: false, enableReadyCheck: false });
    // Every failed reconnect attempt is an 'error'; unheard, ioredis would print each one.
    const onError = (role: string) => (error: unknown) =>
      this.log.debug('redis bus connection error', { role, error: errorMessage(error) });
    this.publisher.on('error', onError('publisher'));
    this.liveness = new RedisLiveness(this.publisher);
    this.outbound = new BoundedPublisher(
      this.publisher,
      options.maxPendingPublishBytes ?? 16 * 1024 * 1024,
      this.log,
    );
    this.channels = new RedisChannels(
      this.subscriber,
      this.keyPrefix,
      this.log,
      this.subscribeTimeoutMs,
    );
    this.reconnect = new SubscriberReconnect(
      this.subscriber,
      () => this.channels.names(),
      this.log,
    );
    this.subscriber.on('error', onError('subscriber'));
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.receive(channel, message),
    );
    this.subscriber.on('close', () => this.reconnect.lost());
    this.subscriber.on('ready', () => void this.reconnect.resubscribe());
  }

  /** Both connections are up and every channel is subscribed (for readiness checks). */
  get healthy(): boolean {
    return this.unhealthyReason() === null;
  }

  /** Why the bus is not healthy (for /readyz), or null when it is. Besides the connections'
   * state, a PING that stays unanswered counts: a frozen Redis keeps its connections 'ready'. */
  unhealthyReason(): string | null {
    if (this.closed) return 'redis bus closed';
    if (this.publisher.status !== 'ready' || this.subscriber.status !== 'ready') {
      return 'redis unreachable: connection down';
    }
    if (this.reconnect.resubscribing) return 'redis unreachable: resubscribing after a reconnect';
    const silent = this.liveness.problem();
    return silent === null ? null : `redis unreachable: ${silent}`;
  }

  /** Messages that arrived on a subscribed channel but were not well-formed envelopes. */
  get malformedMessages(): number {
    return this.malformed;
  }

  /** Messages `publish` did not get to Redis: over the pending bound, refused or lost. */
  get droppedMessages(): number {
    return this.outbound.droppedMessages;
  }

  /** `listener` runs each time the subscriber connection is back after being lost and every
   * channel is live again: what was published meanwhile was missed. Returns the remover. */
  onReconnect(listener: () => void): () => void {
    return this.reconnect.onReconnect(listener);
  }

  publish(docName: string, message: BusMessage): void {
    if (this.closed) return;
    let bytes: Buffer;
    try {
      bytes = encodeBusMessage(this.idBytes, message);
    } catch (error) {
      this.outbound.refused(docName, error);
      return;
    }
    this.outbound.send(documentChannelName(this.keyPrefix, docName), bytes, docName);
  }

  announce(message: InstanceMessage): void {
    if (this.closed) return;
    const bytes = encodeInstanceMessage(this.idBytes, message);
    this.outbound.send(instanceChannelName(this.keyPrefix), bytes, '');
  }

  subscribe(docName: string, handler: BusHandler): Promise<() => Promise<void>> {
    return this.join(docName, { handler });
  }

  subscribeInstances(handler: InstanceHandler): Promise<() => Promise<void>> {
    return this.join(null, { instanceHandler: handler });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.liveness.stop();
    this.channels.close();
    this.reconnect.close();
    this.outbound.stop();
    // QUIT lets queued publishes go out first; a Redis that does not answer is cut off.
    if (this.publisher.status === 'ready') {
      await withTimeout(this.publisher.quit(), 1_000, 'quit').catch(() => {});
    }
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  /** `docName` null: the instance channel. */
  private async join(
    docName: string | null,
    subscription: Subscription,
  ): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    const channel = this.channels.open(docName);
    channel.subscriptions.add(subscription);
    const what = docName === null ? 'the instance channel' : docName;
    const live = async () => {
      await channel.confirmed;
      // Confirmed on an earlier connection is not live now: wait for the resubscription.
      await this.reconnect.over();
    };
    try {
      await withTimeout(live(), this.subscribeTimeoutMs, `subscribing to ${what}`);
      if (this.closed) throw new Error('bus is closed');
    } catch (error) {
      await this.channels.remove(channel, subscription);
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      await this.channels.remove(channel, subscription);
    };
  }

  private receive(channelName: Buffer, bytes: Buffer): void {
    const channel = this.channels.find(channelName);
    if (!channel) return; // just unsubscribed
    if (!deliverToSubscribers(channel, bytes, this.instanceId, this.log)) this.malformed++;
  }
}
