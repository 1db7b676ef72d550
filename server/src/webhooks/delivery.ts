/**
 * One receiver's sender: claims a bounded batch of its due rows from the outbox (with a lease of
 * two request timeouts, renewed as the batch is worked through, so another instance does not
 * send them too and takes them over soon when this one dies), POSTs them one at a time in order,
 * and removes each once the receiver answered 2xx. One request in flight per receiver per
 * instance, each bounded by `timeoutMs`: a slow or dead receiver holds up nothing but its own
 * queue, which lives in the store, not in memory.
 *
 * A failure (no answer in time, a refused connection, any status but 2xx) pauses this receiver
 * for a jittered exponential backoff (`retryBaseMs` doubling per failure in a row, at most
 * `retryMaxMs`, each delay drawn from its upper half) and sets the row due again after it; the
 * rest of the batch goes back unattempted. Rows older than `retryWindowMs` whose receiver still
 * fails become dead letters. A success resets the backoff.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorMessage, type Logger } from '../log.js';
import type { OutboxDelivery, WebhookOutbox } from './outbox.js';
import type { WebhookReceiver } from './receivers.js';
import { SIGNATURE_HEADER, signWebhookBody } from './signature.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** Rows one claim takes: what a sender holds in memory at most. */
export const WEBHOOK_CLAIM_BATCH = 16;
/** A claim's lease lasts this many request timeouts and is renewed while the batch is worked
 * through: a sender that dies holds its rows that long at most. */
const LEASE_REQUESTS = 2;
/** Longest error text kept in a row (for the dead-letter listing). */
const MAX_ERROR_LENGTH = 300;

export interface SenderOptions {
  outbox: WebhookOutbox;
  receiver: WebhookReceiver;
  /** This instance, as lease owner. */
  owner: string;
  secret: string;
  log: Logger;
  metrics: WebhookMetrics;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  retryWindowMs: number;
  pollIntervalMs: number;
  now?: () => number;
}

/** The wait before retry `failures` (1 = after the first failure). */
export function retryDelay(failures: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 40));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export class ReceiverSender {
  private stopped = false;
  private failures = 0;
  private wake: (() => void) | null = null;
  private kicked = false;
  private inFlight: { abort(): void } | null = null;
  private running: Promise<void> | null = null;
  private leaseUntil = 0;
  private readonly now: () => number;
  private readonly label: string;

  constructor(private readonly options: SenderOptions) {
    this.now = options.now ?? Date.now;
    this.label = String(options.receiver.index);
  }

  start(): void {
    this.running ??= this.run();
  }

  /** New events are due: look now (unless backing off). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops after the request in flight is aborted; its row stays pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.inFlight?.abort();
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    const { outbox, receiver, owner, timeoutMs, pollIntervalMs, log } = this.options;
    let pausedUntil = 0;
    while (!this.stopped) {
      if (this.now() < pausedUntil) {
        await this.sleep(pausedUntil - this.now(), false);
        continue;
      }
      let batch: OutboxDelivery[];
      try {
        const now = this.now();
        batch = await outbox.claim(
          receiver.key,
          owner,
          now,
          now + LEASE_REQUESTS * timeoutMs,
          WEBHOOK_CLAIM_BATCH,
        );
        this.leaseUntil = now + LEASE_REQUESTS * timeoutMs;
      } catch (error) {
        if (!this.stopped) {
          log.warn('webhook outbox unreadable', {
            receiver: receiver.index,
            error: errorMessage(error),
          });
        }
        await this.sleep(pollIntervalMs, false);
        continue;
      }
      if (batch.length === 0) {
        await this.sleep(pollIntervalMs, true);
        continue;
      }
      pausedUntil = await this.sendBatch(batch);
    }
  }

  /** Sends the batch in order; returns until when the receiver is paused (0: not). */
  private async sendBatch(batch: OutboxDelivery[]): Promise<number> {
    const { outbox, metrics } = this.options;
    for (const [i, row] of batch.entries()) {
      if (this.stopped) {
        await outbox.release(batch.slice(i).map((r) => r.seq)).catch(() => {});
        return 0;
      }
      try {
        // The next request may take a whole timeout: the rest of the batch stays ours till then.
        const now = this.now();
        if (this.leaseUntil < now + 1.5 * this.options.timeoutMs) {
          this.leaseUntil = now + LEASE_REQUESTS * this.options.timeoutMs;
          await outbox.renew(
            batch.slice(i).map((r) => r.seq),
            this.options.owner,
            this.leaseUntil,
          );
        }
      } catch {
        // Not renewed: the rows may be claimed elsewhere and sent twice (at least once).
      }
      const error = await this.send(row);
      try {
        if (error === null) {
          this.failures = 0;
          metrics.deliveries.inc({ receiver: this.label, outcome: 'delivered' });
          await outbox.complete(row.seq);
          continue;
        }
        if (this.stopped) {
          // Aborted by stop: not the receiver's failure.
          await outbox.release(batch.slice(i).map((r) => r.seq));
          return 0;
        }
        return await this.failed(row, error, batch.slice(i + 1));
      } catch (storeError) {
        this.options.log.warn('webhook outbox write failed', {
          receiver: this.options.receiver.index,
          error: errorMessage(storeError),
        });
        // The lease runs out and the rows are claimed again: at least once.
        return this.now() + this.options.pollIntervalMs;
      }
    }
    return 0;
  }

  private async failed(row: OutboxDelivery, error: string, rest: OutboxDelivery[]) {
    const { outbox, metrics, log, receiver, retryBaseMs, retryMaxMs, retryWindowMs } = this.options;
    this.failures++;
    const now = this.now();
    const delay = retryDelay(this.failures, retryBaseMs, retryMaxMs);
    // As buryExpired counts it: created strictly before the window's start.
    const expired = row.createdAt < now - retryWindowMs;
    metrics.deliveries.inc({ receiver: this.label, outcome: expired ? 'dead' : 'failed' });
    await outbox.retryLater(row.seq, now + delay, error);
    await outbox.release(rest.map((r) => r.seq));
    // Every row of this receiver past the window dies now, not one per backoff period.
    const buried = await outbox.buryExpired(receiver.key, now - retryWindowMs, now, error);
    if (buried > 0) {
      metrics.deliveries.inc(
        { receiver: this.label, outcome: 'dead' },
        expired ? buried - 1 : buried,
      );
      log.error('webhook deliveries gave up: kept as dead letters', {
        receiver: receiver.index,
        host: receiver.origin,
        count: buried,
        error,
      });
    }
    log[this.failures === 1 ? 'warn' : 'debug']('webhook delivery failed', {
      receiver: receiver.index,
      host: receiver.origin,
      event: row.event,
      failures: this.failures,
      retryInMs: delay,
      error,
    });
    return now + delay;
  }

  /** POSTs one row; resolves null on a 2xx answer, else why it failed. */
  private send(row: OutboxDelivery): Promise<string | null> {
    const { receiver, secret, timeoutMs, metrics } = this.options;
    const body = JSON.stringify({ ...(JSON.parse(row.payload) as object), sentAt: this.now() });
    const started = performance.now();
    const url = receiver.url;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<string | null>((resolve) => {
      let settled = false;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight = null;
        metrics.duration.observe({ receiver: this.label }, (performance.now() - started) / 1000);
        resolve(error === null ? null : error.slice(0, MAX_ERROR_LENGTH));
      };
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'User-Agent': 'Quire-Webhooks/1',
            'X-Quire-Event': row.event,
            'X-Quire-Delivery': row.eventId,
            [SIGNATURE_HEADER]: signWebhookBody(secret, body),
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          // Only the status matters: the body is not read (a receiver cannot make us buffer).
          res.destroy();
          finish(status >= 200 && status < 300 ? null : `HTTP ${status}`);
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish(`no answer within ${timeoutMs} ms`);
      }, timeoutMs);
      this.inFlight = {
        abort: () => {
          req.destroy();
          finish('aborted: server shutting down');
        },
      };
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish(errorMessage(error) || error.code || 'request failed'),
      );
      req.end(body);
    });
  }

  /** Waits `ms`, or less when stopped (or, if `wakeable`, kicked). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (wakeable && this.kicked) {
      this.kicked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.kicked = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = () => {
        if (this.stopped || wakeable) done();
        else this.kicked = true;
      };
    });
  }
}
