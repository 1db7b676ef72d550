/**
 * Turns what happened into outbox rows (outbox.ts): one body per event, queued once per
 * receiver. The body is JSON `{ id, event, doc, at, ...fields }`; `id` is a fresh UUID per
 * event (receivers drop duplicates by it), `at` when it happened (ms since the epoch). The
 * sender adds `sentAt` at each attempt (delivery.ts).
 *
 * Durability: a row is added in the same turn as the write it reports is started, never after
 * it resolved (a crash in between would lose the event). For a write that may yet fail (a
 * create, a delete, a rename, a restore, a version), the row is `prepare`d first, due only after
 * UNCONFIRMED_DELAY_MS: `confirm` makes it due at once, `cancel` removes it. A crash before
 * either leaves it to be sent after the delay: at least once, even for a write the crash may
 * have interrupted (receivers re-read the document).
 *
 * The outbox is bounded (`maxRows`): past it new events are dropped, counted and logged, and
 * readiness says so (webhooks.ts). The count is the last one read from the store plus what
 * this instance added since, so with several instances the cap is approximate.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage, type Logger } from '../log.js';
import type { WebhookEventName, WebhookOutbox } from './outbox.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** How long a prepared event waits for its write's outcome before it is sent anyway (only
 * after a crash; normally it is confirmed or cancelled within one round trip). */
export const UNCONFIRMED_DELAY_MS = 60_000;
/** "Outbox full" is logged at most this often. */
const FULL_LOG_INTERVAL_MS = 60_000;

export type EventFields = Record<string, unknown>;

export interface PreparedEvent {
  /** The write succeeded: the event is due now, with `extra` merged into its body. */
  confirm(extra?: EventFields): void;
  /** The write did not happen: the event goes. */
  cancel(): void;
}

export interface EventRecorderOptions {
  outbox: WebhookOutbox;
  receivers: readonly string[];
  log: Logger;
  metrics: WebhookMetrics;
  maxRows: number;
  /** An event became due: the senders should look now. */
  onDue(): void;
  now?: () => number;
}

const NOTHING: PreparedEvent = { confirm: () => {}, cancel: () => {} };

export class EventRecorder {
  private rows = 0;
  private lastFullLog = -Infinity;
  /** Outbox writes not settled yet (close waits for them). */
  private readonly writes = new Set<Promise<unknown>>();
  readonly now: () => number;

  constructor(private readonly options: EventRecorderOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The store's row count, as last read (webhooks.ts refreshes it). */
  setRowCount(rows: number): void {
    this.rows = rows;
  }

  get full(): boolean {
    return this.rows >= this.options.maxRows;
  }

  /** Queues an event that is due at once. */
  record(event: WebhookEventName, doc: string, fields: EventFields = {}): void {
    const body = this.add(event, doc, fields, this.now());
    if (body) this.options.onDue();
  }

  /** Queues an event for a write about to be started (see the top). */
  prepare(event: WebhookEventName, doc: string, fields: EventFields = {}): PreparedEvent {
    const at = this.now();
    const body = this.add(event, doc, fields, at + UNCONFIRMED_DELAY_MS);
    if (!body) return NOTHING;
    return {
      confirm: (extra = {}) => {
        void this.after(body.added, () =>
          this.options.outbox.update(body.id, this.encode(body.body, extra), this.now()),
        ).then(() => this.options.onDue());
      },
      cancel: () => void this.after(body.added, () => this.options.outbox.cancel(body.id)),
    };
  }

  /** Queues an event due at `availableAt` whose body may still change (`revise`); null when
   * the outbox is full. */
  open(
    event: WebhookEventName,
    doc: string,
    fields: EventFields,
    availableAt: number,
  ): { revise(fields: EventFields, availableAt: number): void } | null {
    const body = this.add(event, doc, fields, availableAt);
    if (!body) return null;
    return {
      revise: (next, due) => {
        void this.after(body.added, () =>
          this.options.outbox.update(body.id, this.encode(body.body, next), due),
        ).then(() => {
          if (due <= this.now()) this.options.onDue();
        });
      },
    };
  }

  /** Resolves once every outbox write started so far has settled. */
  async drain(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private add(
    event: WebhookEventName,
    doc: string,
    fields: EventFields,
    availableAt: number,
  ): { id: string; body: EventFields; added: Promise<boolean> } | null {
    const { outbox, receivers, metrics, log } = this.options;
    if (this.full) {
      metrics.dropped.inc({ event });
      const now = this.now();
      if (now - this.lastFullLog >= FULL_LOG_INTERVAL_MS) {
        this.lastFullLog = now;
        log.warn('webhook outbox full: new events are dropped', {
          event,
          doc,
          rows: this.rows,
          max: this.options.maxRows,
        });
      }
      return null;
    }
    const id = randomUUID();
    const at = this.now();
    const body: EventFields = { id, event, doc, at, ...fields };
    this.rows += receivers.length;
    metrics.events.inc({ event });
    // Started now, in the caller's turn (SQLite and memory have written it when this returns).
    const added = this.track(
      outbox.add(
        { eventId: id, event, doc, payload: JSON.stringify(body), createdAt: at, availableAt },
        receivers,
      ),
    ).then(
      () => true,
      (error: unknown) => {
        log.error('webhook event could not be queued', { event, doc, error: errorMessage(error) });
        return false;
      },
    );
    return { id, body, added };
  }

  private encode(body: EventFields, extra: EventFields): string {
    return JSON.stringify({ ...body, ...extra, id: body.id, event: body.event, doc: body.doc });
  }

  /** Runs `write` once the event's rows exist (skipped when they could not be added). */
  private after(added: Promise<boolean>, write: () => Promise<void>): Promise<void> {
    return this.track(added.then((ok) => (ok ? write() : undefined))).catch((error: unknown) => {
      this.options.log.error('webhook event could not be updated', {
        error: errorMessage(error),
      });
    });
  }

  private track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => {},
      () => {},
    );
    this.writes.add(settled);
    void settled.then(() => this.writes.delete(settled));
    return work;
  }
}
