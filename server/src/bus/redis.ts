/**
 * RedisBus: the DocumentBus over Redis pub/sub, so several Quire processes can serve one
 * document. One channel per document, `${keyPrefix}doc:${docName}`, carrying the binary
 * envelopes of redis-codec.ts, and one for instance announcements (heartbeats, goodbyes),
 * `${keyPrefix}instances`, which no document name can produce. Two connections: one in
 * subscriber mode can run nothing but (UN)SUBSCRIBE, so publishing needs its own.
 *
 * Still a doorbell (bus/adapter.ts): pub/sub is at-most-once, and whatever is published while
 * this instance's subscriber connection is down is gone. So the subscriber reconnects by itself,
 * subscribes every open channel again, and only then tells `onReconnect` listeners, which catch
 * the open documents up from storage.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisLiveness } from './redis-liveness.js';
import { TurnWriteBatch } from './redis-write-batch.js';
import { createConsoleLogger, errorMessage, type Logger } from '../log.js';
import type {
  BusHandler,
  BusMessage,
  DocumentBus,
  InstanceHandler,
  InstanceMessage,
} from './adapter.js';
import {
  decodeBusMessage,
  decodeInstanceMessage,
  encodeBusMessage,
  encodeInstanceId,
  encodeInstanceMessage,
} from './redis-codec.js';

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

type Subscription =
  { readonly handler: BusHandler } | { readonly instanceHandler: InstanceHandler };

interface Channel {
  /** The document, or '' for the instance channel (then `instances` is true). */
  readonly docName: string;
  readonly instances: boolean;
  readonly name: Buffer;
  readonly subscriptions: Set<Subscription>;
  /** Settles once Redis answered this channel's first SUBSCRIBE. */
  readonly confirmed: Promise<void>;
}

type Outage = { readonly over: Promise<void>; readonly end: () => void };

export class RedisBus implements DocumentBus {
  readonly instanceId: string;
  private readonly idBytes: Buffer;
  private readonly keyPrefix: string;
  private readonly log: Logger;
  private readonly subscribeTimeoutMs: number;
  private readonly maxPendingPublishBytes: number;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly liveness: RedisLiveness;
  /** The publisher's writes of one turn go out as one (redis-write-batch.ts). */
  private readonly writes: TurnWriteBatch;
  /** Keyed by the channel's bytes read as latin1: exactly one key per byte sequence. */
  private readonly channels = new Map<string, Channel>();
  private readonly reconnectListeners = new Set<() => void>();
  /** Set from the subscriber losing its connection until every channel is subscribed again. */
  private outage: Outage | null = null;
  private readyCount = 0;
  private everLive = false;
  private pendingBytes = 0;
  private dropping = false;
  private closed = false;
  private malformed = 0;
  private dropped = 0;

  constructor(options: RedisBusOptions) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.idBytes = encodeInstanceId(this.instanceId);
    this.keyPrefix = options.keyPrefix ?? 'quire:';
    this.log = options.logger ?? createConsoleLogger();
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5_000;
    this.maxPendingPublishBytes = options.maxPendingPublishBytes ?? 16 * 1024 * 1024;
    // The offline queue stays on (a publish right after start is not lost), bounded by
    // maxPendingPublishBytes instead, which also covers a stalled Redis that stops answering.
    this.publisher = new Redis(options.url);
    // Resubscribing is done here, not by ioredis's autoResubscribe: that one only restores
    // channels Redis had confirmed and does not say when it is done, and onReconnect must only
    // fire once every channel is live again. Commands queued while disconnected are failed
    // after every 20 attempts (ioredis's maxRetriesPerRequest), which keeps that queue bounded
    // and loses nothing: every open channel is subscribed again on the next connection.
    // No ready check: its INFO can reach Redis after a SUBSCRIBE issued while connecting, and is
    // then refused ("Connection in subscriber mode"), failing that subscription (~1 start in 6).
    // A subscriber needs no loaded dataset anyway.
    this.subscriber = new Redis(options.url, { autoResubscribe: false, enableReadyCheck: false });
    // Every failed reconnect attempt is an 'error'; unheard, ioredis would print each one.
    const onError = (role: string) => (error: unknown) =>
      this.log.debug('redis bus connection error', { role, error: errorMessage(error) });
    this.publisher.on('error', onError('publisher'));
    this.liveness = new RedisLiveness(this.publisher);
    this.writes = new TurnWriteBatch(this.publisher);
    this.subscriber.on('error', onError('subscriber'));
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.receive(channel, message),
    );
    this.subscriber.on('close', () => this.lost());
    this.subscriber.on('ready', () => void this.resubscribe());
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
    if (this.outage !== null) return 'redis unreachable: resubscribing after a reconnect';
    const silent = this.liveness.problem();
    return silent === null ? null : `redis unreachable: ${silent}`;
  }

  /** Messages that arrived on a subscribed channel but were not well-formed envelopes. */
  get malformedMessages(): number {
    return this.malformed;
  }

  /** Messages `publish` did not get to Redis: over the pending bound, refused or lost. */
  get droppedMessages(): number {
    return this.dropped;
  }

  /** `listener` runs each time the subscriber connection is back after being lost and every
   * channel is live again: what was published meanwhile was missed. Returns the remover. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  publish(docName: string, message: BusMessage): void {
    if (this.closed) return;
    let bytes: Buffer;
    try {
      bytes = encodeBusMessage(this.idBytes, message);
    } catch (error) {
      this.dropped++;
      this.log.warn('bus message not published', { doc: docName, error: errorMessage(error) });
      return;
    }
    this.send(this.channelName(docName), bytes, docName);
  }

  announce(message: InstanceMessage): void {
    if (this.closed) return;
    this.send(this.instanceChannelName(), encodeInstanceMessage(this.idBytes, message), '');
  }

  subscribe(docName: string, handler: BusHandler): Promise<() => Promise<void>> {
    return this.join(docName, { handler });
  }

  subscribeInstances(handler: InstanceHandler): Promise<() => Promise<void>> {
    return this.join(null, { instanceHandler: handler });
  }

  /** `docName` null: the instance channel. */
  private async join(
    docName: string | null,
    subscription: Subscription,
  ): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    const channel = this.channelFor(docName);
    channel.subscriptions.add(subscription);
    const what = docName === null ? 'the instance channel' : docName;
    try {
      await withTimeout(this.live(channel), this.subscribeTimeoutMs, `subscribing to ${what}`);
      if (this.closed) throw new Error('bus is closed');
    } catch (error) {
      await this.remove(channel, subscription);
      throw error;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      await this.remove(channel, subscription);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.liveness.stop();
    this.channels.clear();
    this.reconnectListeners.clear();
    this.outage?.end();
    this.outage = null;
    this.writes.release();
    // QUIT lets queued publishes go out first; a Redis that does not answer is cut off.
    if (this.publisher.status === 'ready') {
      await withTimeout(this.publisher.quit(), 1_000, 'quit').catch(() => {});
    }
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private send(channel: Buffer, bytes: Buffer, docName: string): void {
    if (this.pendingBytes > 0 && this.pendingBytes + bytes.length > this.maxPendingPublishBytes) {
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
          if (!this.closed) this.drop(docName, errorMessage(error));
        },
      )
      .finally(() => (this.pendingBytes -= bytes.length));
  }

  private channelName(docName: string): Buffer {
    return Buffer.from(`${this.keyPrefix}doc:${docName}`, 'utf8');
  }

  private instanceChannelName(): Buffer {
    return Buffer.from(`${this.keyPrefix}instances`, 'utf8');
  }

  private channelFor(docName: string | null): Channel {
    const name = docName === null ? this.instanceChannelName() : this.channelName(docName);
    const existing = this.channels.get(name.toString('latin1'));
    if (existing) return existing;
    const confirmed = this.subscriber.subscribe(name).then(() => {});
    confirmed.catch(() => {}); // awaited by the subscribers, who may all have given up
    const channel: Channel = {
      docName: docName ?? '',
      instances: docName === null,
      name,
      subscriptions: new Set(),
      confirmed,
    };
    this.channels.set(name.toString('latin1'), channel);
    return channel;
  }

  private async live(channel: Channel): Promise<void> {
    await channel.confirmed;
    // Confirmed on an earlier connection is not live now: wait for the resubscription.
    while (this.outage) await this.outage.over;
  }

  /** Ends one subscription; UNSUBSCRIBE once the channel has none. Never rejects. */
  private async remove(channel: Channel, subscription: Subscription): Promise<void> {
    channel.subscriptions.delete(subscription);
    const key = channel.name.toString('latin1');
    if (channel.subscriptions.size > 0 || this.channels.get(key) !== channel) return;
    this.channels.delete(key);
    if (this.closed) return;
    // Sent on the same connection after the SUBSCRIBE, so Redis applies them in that order, and
    // a later subscribe to this document sends its own SUBSCRIBE after this one.
    const unsubscribed = this.subscriber.unsubscribe(channel.name);
    await withTimeout(unsubscribed, this.subscribeTimeoutMs, 'unsubscribe').catch(
      (error: unknown) => {
        this.log.debug('redis bus unsubscribe', {
          doc: channel.docName,
          error: errorMessage(error),
        });
      },
    );
  }

  private receive(channelName: Buffer, bytes: Buffer): void {
    const channel = this.channels.get(channelName.toString('latin1'));
    if (!channel) return; // just unsubscribed
    if (channel.instances) {
      this.receiveAnnouncement(channel, bytes);
      return;
    }
    const decoded = decodeBusMessage(bytes);
    if (!decoded) {
      this.malformed++;
      this.log.warn('malformed bus message dropped', { doc: channel.docName, bytes: bytes.length });
      return;
    }
    if (decoded.instanceId === this.instanceId) return;
    for (const subscription of [...channel.subscriptions]) {
      if (!('handler' in subscription)) continue;
      try {
        subscription.handler({
          instanceId: decoded.instanceId,
          docName: channel.docName,
          // A copy each: no receiver shares bytes with another, or with Redis's buffer.
          message: { ...decoded.message, update: new Uint8Array(decoded.message.update) },
        });
      } catch {
        // The caller's wrapper logs it (DocumentBus.subscribe); the other subscribers go on.
      }
    }
  }

  private receiveAnnouncement(channel: Channel, bytes: Buffer): void {
    const decoded = decodeInstanceMessage(bytes);
    if (!decoded) {
      this.malformed++;
      this.log.warn('malformed instance announcement dropped', { bytes: bytes.length });
      return;
    }
    if (decoded.instanceId === this.instanceId) return;
    for (const subscription of [...channel.subscriptions]) {
      if (!('instanceHandler' in subscription)) continue;
      try {
        subscription.instanceHandler({ ...decoded, message: { ...decoded.message } });
      } catch {
        // As for documents: the caller's wrapper logs it; the other subscribers go on.
      }
    }
  }

  private lost(): void {
    if (this.closed || this.outage) return;
    let end = () => {};
    const over = new Promise<void>((resolve) => (end = resolve));
    this.outage = { over, end };
    if (this.everLive) this.log.warn('redis bus lost its subscriber connection; reconnecting');
  }

  /** On every (re)connect: subscribe every open channel, then report the outage over. */
  private async resubscribe(): Promise<void> {
    const attempt = ++this.readyCount;
    const names = [...this.channels.values()].map((channel) => channel.name);
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
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        this.log.error('redis bus reconnect listener failed', { error: errorMessage(error) });
      }
    }
  }

  private drop(docName: string, reason: string): void {
    this.dropped++;
    // Once per run of drops, not once per message: an outage would flood the log.
    if (this.dropping) return;
    this.dropping = true;
    this.log.warn('redis bus dropping messages', { doc: docName, reason });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
