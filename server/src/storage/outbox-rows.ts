/**
 * The webhook outbox's rows as the SQL stores read them, and their mapping to what
 * webhooks/outbox.ts hands the senders. SQLite's `webhook_outbox` and PostgreSQL's
 * `quire_webhook_outbox` have the same columns (sqlite-schema.ts, postgres-schema.ts), so one
 * mapper serves both: a column added to one reaches the senders from both or from neither.
 */
import type { DeadLetter, OutboxDelivery, WebhookEventName } from '../webhooks/outbox.js';

/** The columns a delivery or a dead letter is read from, in OUTBOX_COLUMNS' order. */
export interface OutboxRow {
  seq: number;
  event_id: string;
  receiver: string;
  event: string;
  doc: string;
  payload: string;
  created_at: number;
  attempts: number;
  last_error: string | null;
  dead_at: number | null;
}

/** The select list that fills an OutboxRow. */
export const OUTBOX_COLUMNS =
  'seq, event_id, receiver, event, doc, payload, created_at, attempts, last_error, dead_at';

/** A claimed row as the sender gets it. */
export function deliveryOf(row: OutboxRow): OutboxDelivery {
  return {
    seq: row.seq,
    eventId: row.event_id,
    receiver: row.receiver,
    // Only the outbox writes this column, from a WebhookEventName.
    event: row.event as WebhookEventName,
    doc: row.doc,
    payload: row.payload,
    createdAt: row.created_at,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}

/** A row read with `dead_at IS NOT NULL`, as the dead-letter routes list it. */
export function deadLetterOf(row: OutboxRow): DeadLetter {
  return { ...deliveryOf(row), deadAt: row.dead_at! };
}
