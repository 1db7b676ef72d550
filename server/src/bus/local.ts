/** An in-process DocumentBus: connects QuireServer instances living in one process (tests, and
 * the single-instance default where it has no other subscribers and costs one map lookup). */
import type { BusEnvelope, DocumentBus } from './adapter.js';

export class LocalBus implements DocumentBus {
  private readonly subscribers = new Map<string, Set<(envelope: BusEnvelope) => void>>();

  publish(envelope: BusEnvelope): void {
    const handlers = this.subscribers.get(envelope.docName);
    if (!handlers) return;
    for (const handler of handlers) {
      // Asynchronous like a network bus, so no caller relies on same-tick delivery.
      queueMicrotask(() => handler(envelope));
    }
  }

  subscribe(docName: string, handler: (envelope: BusEnvelope) => void): () => void {
    let handlers = this.subscribers.get(docName);
    if (!handlers) {
      handlers = new Set();
      this.subscribers.set(docName, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.subscribers.delete(docName);
    };
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
