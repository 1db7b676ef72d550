/**
 * DocumentBus: cross-instance fan-out, so several Quire processes can serve one document.
 *
 * A doorbell, never a store: at-most-once and unordered across instances (Redis pub/sub
 * semantics), and never the only copy of anything — the publishing instance has already written
 * the update to the shared store, so a receiver that misses a message repairs from storage, not
 * from the bus. Every adapter must pass the acceptance suite in server/test/bus/.
 */

export type BusMessage =
  /** A stored change to the document. `seq`: its sequence number in the shared store, when the
   * store has a per-document sequence a receiver can check for gaps. */
  { kind: 'update'; update: Uint8Array; seq?: number } | { kind: 'awareness'; update: Uint8Array };

export interface BusEnvelope {
  /** The publishing instance. */
  instanceId: string;
  docName: string;
  message: BusMessage;
}

export type BusHandler = (envelope: BusEnvelope) => void;

/** Bus-level announcements about an instance itself, on a channel of their own (not a
 * document's): `heartbeat` every few seconds while it runs, `goodbye` when it closes cleanly.
 * Other instances drop a silent or departed instance's presence (bus/instance-heartbeat.ts). */
export type InstanceMessage = { kind: 'heartbeat' } | { kind: 'goodbye' };

export interface InstanceEnvelope {
  /** The announcing instance. */
  instanceId: string;
  message: InstanceMessage;
}

export type InstanceHandler = (envelope: InstanceEnvelope) => void;

export interface DocumentBus {
  /** This instance's id, stamped on what it publishes. A subscriber never receives its own
   * instance's envelopes. */
  readonly instanceId: string;
  /** Sends to every other instance subscribed to the document. Never throws, not even after
   * close: a bus outage degrades cross-instance fan-out only. */
  publish(docName: string, message: BusMessage): void;
  /** Receives other instances' messages for one document. Resolves once the subscription is
   * live: anything published after that reaches `handler`. A handler that throws is logged by
   * the caller's wrapper, never by the bus, and does not affect other subscribers. The returned
   * function ends the subscription. */
  subscribe(docName: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Sends an announcement about this instance to every other instance on the bus, whatever
   * documents they serve. Never throws. Optional: without it (and `subscribeInstances`) other
   * instances cannot tell that this one died, so its presence lingers until it times out like
   * a silent client's (bus/instance-heartbeat.ts). */
  announce?(message: InstanceMessage): void;
  /** Receives other instances' announcements; resolves once live, like `subscribe`. */
  subscribeInstances?(handler: InstanceHandler): Promise<() => Promise<void>>;
  /** `listener` runs each time the bus is back after an outage, once every subscription is live
   * again: whatever was published meanwhile was missed. Returns the remover. Optional (an
   * in-process bus has no outages). */
  onReconnect?(listener: () => void): () => void;
  close(): Promise<void>;
}
