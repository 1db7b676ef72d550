/**
 * DocumentBus: cross-instance fan-out, so several Quire processes can serve one document.
 * At-most-once and unordered across instances (Redis pub/sub semantics): receivers repair gaps by
 * exchanging state vectors, never by trusting the bus. The bus is never the only copy of anything:
 * the publishing instance has already written the update to the shared store.
 */

export type BusMessage =
  { kind: 'update'; update: Uint8Array } | { kind: 'awareness'; update: Uint8Array };

export interface BusEnvelope {
  /** The publishing instance; a subscriber ignores its own messages. */
  instanceId: string;
  docName: string;
  message: BusMessage;
}

export interface DocumentBus {
  /** Sends to every other instance subscribed to the document. Never throws: a bus outage
   * degrades cross-instance fan-out only. */
  publish(envelope: BusEnvelope): void;
  /** Receives messages for one document until the returned function is called. */
  subscribe(docName: string, handler: (envelope: BusEnvelope) => void): () => void;
  close(): Promise<void>;
}
