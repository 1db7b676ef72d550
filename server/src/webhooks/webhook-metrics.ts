/**
 * Webhook metrics on the server's prom-client registry (metrics.ts `registry`). The `receiver`
 * label is the receiver's position in the configuration ("0", "1"…): never its URL, which may
 * carry credentials, and never a document name or token.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutboxStats } from './outbox.js';

export class WebhookMetrics {
  /** Events queued, by event name. */
  readonly events: Counter<'event'>;
  /** Events not queued because the outbox was full, by event name. */
  readonly dropped: Counter<'event'>;
  /** By receiver and outcome: delivered, failed (an attempt retried later), dead (given up). */
  readonly deliveries: Counter<'receiver' | 'outcome'>;
  readonly duration: Histogram<'receiver'>;
  private readonly pending: Gauge;
  private readonly dead: Gauge;
  private readonly oldestDue: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'quire_webhook_events_total',
      help: 'Webhook events queued in the outbox, by event.',
      labelNames: ['event'],
      registers,
    });
    this.dropped = new Counter({
      name: 'quire_webhook_events_dropped_total',
      help: 'Webhook events dropped because the outbox was full (webhookMaxOutboxRows).',
      labelNames: ['event'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'quire_webhook_deliveries_total',
      help: 'Webhook deliveries by receiver (its index) and outcome: delivered, failed (an attempt that is retried later), dead (given up: a dead letter).',
      labelNames: ['receiver', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'quire_webhook_delivery_duration_seconds',
      help: 'Time from sending a webhook request to its answer (or its failure), by receiver.',
      labelNames: ['receiver'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.pending = new Gauge({
      name: 'quire_webhook_pending',
      help: 'Webhook deliveries waiting in the outbox (every instance on the store), as last read.',
      registers,
    });
    this.dead = new Gauge({
      name: 'quire_webhook_dead_letters',
      help: 'Webhook deliveries whose retries ran out, kept for replay, as last read.',
      registers,
    });
    this.oldestDue = new Gauge({
      name: 'quire_webhook_oldest_due_seconds',
      help: 'Age of the oldest webhook delivery that is due and not yet made (0: none).',
      registers,
    });
  }

  observeStats(stats: OutboxStats, now: number): void {
    this.pending.set(stats.pending);
    this.dead.set(stats.dead);
    this.oldestDue.set(stats.oldestDueAt === null ? 0 : (now - stats.oldestDueAt) / 1000);
  }
}
