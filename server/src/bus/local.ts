/**
 * The in-process DocumentBus: connects QuireServer instances living in one process (tests, and
 * embedders that run several servers side by side). One LocalBusHub is the "network"; each
 * instance gets its own LocalBus on it.
 */
import { randomUUID } from 'node:crypto';
import type {
  BusEnvelope,
  BusHandler,
  BusMessage,
  DocumentBus,
  InstanceEnvelope,
  InstanceHandler,
  InstanceMessage,
} from './adapter.js';

export class LocalBusHub {
  private readonly subscribers = new Map<
    string,
    Set<{ instanceId: string; handler: BusHandler }>
  >();
  private readonly instanceSubscribers = new Set<{
    instanceId: string;
    handler: InstanceHandler;
  }>();

  /** A bus for one instance on this hub. */
  connect(instanceId: string = randomUUID()): LocalBus {
    return new LocalBus(this, instanceId);
  }

  deliver(envelope: BusEnvelope): void {
    for (const subscriber of this.subscribers.get(envelope.docName) ?? []) {
      if (subscriber.instanceId === envelope.instanceId) continue;
      // Asynchronous like a network bus, so no caller relies on same-tick delivery; a copy of
      // the bytes, as a network would give, so no receiver shares a buffer with the sender.
      const copy: BusEnvelope = {
        ...envelope,
        message: { ...envelope.message, update: envelope.message.update.slice() },
      };
      queueMicrotask(() => {
        try {
          subscriber.handler(copy);
        } catch {
          // A failing subscriber must not affect the others (see DocumentBus.subscribe).
        }
      });
    }
  }

  deliverAnnouncement(envelope: InstanceEnvelope): void {
    for (const subscriber of this.instanceSubscribers) {
      if (subscriber.instanceId === envelope.instanceId) continue;
      const copy: InstanceEnvelope = { ...envelope, message: { ...envelope.message } };
      queueMicrotask(() => {
        try {
          subscriber.handler(copy);
        } catch {
          // As for documents: one failing subscriber does not affect the others.
        }
      });
    }
  }

  addInstanceSubscriber(entry: { instanceId: string; handler: InstanceHandler }): () => void {
    this.instanceSubscribers.add(entry);
    return () => void this.instanceSubscribers.delete(entry);
  }

  add(docName: string, entry: { instanceId: string; handler: BusHandler }): () => void {
    let entries = this.subscribers.get(docName);
    if (!entries) {
      entries = new Set();
      this.subscribers.set(docName, entries);
    }
    entries.add(entry);
    return () => {
      entries.delete(entry);
      if (entries.size === 0) this.subscribers.delete(docName);
    };
  }
}

export class LocalBus implements DocumentBus {
  private readonly removers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly hub: LocalBusHub,
    readonly instanceId: string,
  ) {}

  publish(docName: string, message: BusMessage): void {
    if (this.closed) return;
    this.hub.deliver({ instanceId: this.instanceId, docName, message });
  }

  async subscribe(docName: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    return this.track(this.hub.add(docName, { instanceId: this.instanceId, handler }));
  }

  announce(message: InstanceMessage): void {
    if (this.closed) return;
    this.hub.deliverAnnouncement({ instanceId: this.instanceId, message });
  }

  async subscribeInstances(handler: InstanceHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('bus is closed');
    return this.track(this.hub.addInstanceSubscriber({ instanceId: this.instanceId, handler }));
  }

  private track(remove: () => void): () => Promise<void> {
    this.removers.add(remove);
    return async () => {
      remove();
      this.removers.delete(remove);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const remove of this.removers) remove();
    this.removers.clear();
  }
}
