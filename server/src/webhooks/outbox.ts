/**
 * WebhookOutbox: the durable queue of webhook deliveries, kept in the same store as the
 * documents (`StorageAdapter.outbox`: a SQLite table, a PostgreSQL table, or memory), so an
 * event is written with — or before — what it reports and survives a crash of the server.
 *
 * One row per event and receiver. A row is pending until it is delivered (then removed) or its
 * retries run out (then it is a dead letter, kept until replayed or purged). Deliveries are
 * claimed with a lease: a claim marks the rows it returns as taken by one owner until
 * `leaseUntil`, and no other claim returns them before that, so several instances on one store
 * never send one row at the same time while they are healthy. An owner that dies leaves its
 * rows to be claimed again once the lease has run out.
 *
 * Like the rest of the StorageAdapter it is a dumb store: payloads are opaque JSON text, times
 * are milliseconds since the epoch given by the caller (instances sharing a store should run
 * NTP-synchronized clocks, as leases compare them).
 */

export const WEBHOOK_EVENTS = [
  'document.created',
  'document.changed',
  'document.deleted',
  'document.renamed',
  'document.restored',
  'document.purged',
  'version.created',
  'version.restored',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** An event to queue once per receiver. */
export interface NewOutboxEvent {
  /** Unique per event (a UUID); the same in every receiver's row. */
  eventId: string;
  event: WebhookEventName;
  doc: string;
  /** The JSON body without `sentAt` (added at each attempt). */
  payload: string;
  createdAt: number;
  /** Not delivered before this. */
  availableAt: number;
}

/** One receiver's row of an event. */
export interface OutboxDelivery {
  /** The row's own id, increasing in insert order. */
  seq: number;
  eventId: string;
  /** The receiver's key (webhooks/receivers.ts: a hash of its URL, never the URL). */
  receiver: string;
  event: WebhookEventName;
  doc: string;
  payload: string;
  createdAt: number;
  /** Failed attempts so far. */
  attempts: number;
  lastError: string | null;
}

export interface DeadLetter extends OutboxDelivery {
  /** When the retries ran out. */
  deadAt: number;
}

export interface OutboxStats {
  /** Rows still to be delivered, of the receivers asked about. */
  pending: number;
  /** Dead letters, of the receivers asked about. */
  dead: number;
  /** Rows of every receiver, pending or dead: what the outbox cap counts. */
  total: number;
  /** `createdAt` of the first waiting pending row in seq order, per receiver (rows are added in
   * time order, so it is the oldest but for replayed ones), or null. Waiting: due now
   * (availableAt ≤ now), or tried and failed already and waiting out its backoff (attempts > 0);
   * not a change window still open (a document.changed row due at the window's end). */
  oldestDueAt: number | null;
}

export interface WebhookOutbox {
  /** Queues `event` once for each receiver. Stores that run statements synchronously (SQLite,
   * memory) have written it before this returns its promise: called in the same turn as the
   * write it reports, it is on disk with it. */
  add(event: NewOutboxEvent, receivers: readonly string[]): Promise<void>;
  /** Sets the payload and due time of an event's rows that are not being sent and were never
   * attempted (a debounced change that ended, a prepared event whose write succeeded). */
  update(eventId: string, payload: string, availableAt: number): Promise<void>;
  /** Removes an event's rows that were never attempted (a prepared event whose write failed). */
  cancel(eventId: string): Promise<void>;
  /** Up to `limit` due pending rows of `receiver` (availableAt ≤ now, lease run out), oldest
   * first, leased to `owner` until `leaseUntil`. */
  claim(
    receiver: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<OutboxDelivery[]>;
  /** Delivered: the row goes. */
  complete(seq: number): Promise<void>;
  /** Failed: one more attempt counted, the lease lifted, due again at `availableAt`. */
  retryLater(seq: number, availableAt: number, error: string): Promise<void>;
  /** Extends the lease of those of `seqs` still leased to `owner` (a sender working through a
   * batch keeps its lease short and renews it as it goes). */
  renew(seqs: readonly number[], owner: string, leaseUntil: number): Promise<void>;
  /** Claimed but not attempted: the lease is lifted, nothing counted. */
  release(seqs: readonly number[]): Promise<void>;
  /** Makes dead letters of `receiver`'s pending rows created before `createdBefore` (retries
   * ran out), not leased by someone else at `now`; returns how many. */
  buryExpired(receiver: string, createdBefore: number, now: number, error: string): Promise<number>;
  /** Dead letters, oldest first, after `afterSeq` (paging). */
  deadLetters(limit: number, afterSeq?: number): Promise<DeadLetter[]>;
  /** Makes a dead letter pending again, due at `now`, with a fresh retry window (createdAt =
   * now) and no attempts counted. False when there is no such dead letter. */
  replay(seq: number, now: number): Promise<boolean>;
  /** Counts for health, metrics and the cap. */
  stats(receivers: readonly string[], now: number): Promise<OutboxStats>;
  /** Removes up to `limit` dead letters that died before `before`; returns how many. */
  purgeDead(before: number, limit: number): Promise<number>;
}
