/**
 * The channels the RedisBus's subscriber connection is subscribed to, and who listens on each.
 * One channel per document, `${keyPrefix}doc:${docName}`, and one for instance announcements,
 * `${keyPrefix}instances`, which no document name can produce. A channel is SUBSCRIBEd when its
 * first listener comes and UNSUBSCRIBEd when its last one goes.
 */
import type { Redis } from 'ioredis';
import { errorMessage, type Logger } from '../log.js';
import type { BusHandler, InstanceHandler } from './adapter.js';
import { withTimeout } from './redis-timeout.js';

export type Subscription =
  { readonly handler: BusHandler } | { readonly instanceHandler: InstanceHandler };

export interface Channel {
  /** The document, or '' for the instance channel (then `instances` is true). */
  readonly docName: string;
  readonly instances: boolean;
  readonly name: Buffer;
  readonly subscriptions: Set<Subscription>;
  /** Settles once Redis answered this channel's first SUBSCRIBE. */
  readonly confirmed: Promise<void>;
}

export function documentChannelName(keyPrefix: string, docName: string): Buffer {
  return Buffer.from(`${keyPrefix}doc:${docName}`, 'utf8');
}

export function instanceChannelName(keyPrefix: string): Buffer {
  return Buffer.from(`${keyPrefix}instances`, 'utf8');
}

export class RedisChannels {
  /** Keyed by the channel's bytes read as latin1: exactly one key per byte sequence. */
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly keyPrefix: string,
    private readonly log: Logger,
    /** How long an UNSUBSCRIBE may go unanswered before `remove` gives up on it. */
    private readonly unsubscribeTimeoutMs: number,
  ) {}

  /** The open channel for `docName` (null: the instance channel), SUBSCRIBEd if it is new. */
  open(docName: string | null): Channel {
    const name =
      docName === null
        ? instanceChannelName(this.keyPrefix)
        : documentChannelName(this.keyPrefix, docName);
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

  /** The open channel a message arrived on, or undefined once it was just unsubscribed. */
  find(name: Buffer): Channel | undefined {
    return this.channels.get(name.toString('latin1'));
  }

  /** Every open channel's name, to subscribe them all again on a new connection. */
  names(): Buffer[] {
    return [...this.channels.values()].map((channel) => channel.name);
  }

  /** Ends one subscription; UNSUBSCRIBE once the channel has none. Never rejects. */
  async remove(channel: Channel, subscription: Subscription): Promise<void> {
    channel.subscriptions.delete(subscription);
    const key = channel.name.toString('latin1');
    if (channel.subscriptions.size > 0 || this.channels.get(key) !== channel) return;
    this.channels.delete(key);
    if (this.closed) return;
    // Sent on the same connection after the SUBSCRIBE, so Redis applies them in that order, and
    // a later subscribe to this document sends its own SUBSCRIBE after this one.
    const unsubscribed = this.subscriber.unsubscribe(channel.name);
    await withTimeout(unsubscribed, this.unsubscribeTimeoutMs, 'unsubscribe').catch(
      (error: unknown) => {
        this.log.debug('redis bus unsubscribe', {
          doc: channel.docName,
          error: errorMessage(error),
        });
      },
    );
  }

  /** Forgets every channel; the connection closing ends the subscriptions on Redis's side. */
  close(): void {
    this.closed = true;
    this.channels.clear();
  }
}
