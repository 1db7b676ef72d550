/**
 * The webhook options of QuireServerOptions, their defaults and their checks (config.ts folds
 * them into the server's one ConfigError). Every default is documented in docs/operations.md
 * (Webhooks) and the README's configuration table.
 */
import type { IncomingMessage } from 'node:http';
import { MIN_SECRET_LENGTH } from '../limits.js';
import { webhookUrlProblem } from './receivers.js';

export interface WebhookOptions {
  /** Receivers: every event is POSTed to each. Default [] (webhooks off). */
  webhookUrls?: string[];
  /** HMAC-SHA256 key of the `X-Quire-Signature` header; required with webhookUrls, at least 32
   * characters. Default: none. */
  webhookSecret?: string;
  /** Put the editor text in document.created and document.changed bodies (documents may be
   * private: off unless the operator opts in). Default false. */
  webhookIncludeText?: boolean;
  /** document.changed is sent this long after a document's last change… Default 2000 ms. */
  webhookChangeDebounceMs?: number;
  /** …and at most once per this interval while editing goes on. Default 30000 ms. */
  webhookChangeMaxIntervalMs?: number;
  /** One request may take this long before it counts as failed. Default 10000 ms. */
  webhookTimeoutMs?: number;
  /** First retry delay after a failure; doubles per failure in a row (±50 % jitter).
   * Default 1000 ms. */
  webhookRetryBaseMs?: number;
  /** Longest retry delay. Default 3600000 ms (1 hour). */
  webhookRetryMaxMs?: number;
  /** An event not delivered this long after it happened becomes a dead letter.
   * Default 86400000 ms (24 hours). */
  webhookRetryWindowMs?: number;
  /** How often each receiver looks for due events queued by other instances or due for a
   * retry (this instance's new events are sent at once). Default 1000 ms. */
  webhookPollIntervalMs?: number;
  /** Most outbox rows (pending and dead, one per event and receiver); past it new events are
   * dropped, counted and logged, and readiness fails. Default 100000. */
  webhookMaxOutboxRows?: number;
  /** Dead letters are purged this long after they died. Default 604800000 ms (7 days). */
  webhookDeadLetterRetentionMs?: number;
  /** Readiness fails while an event has been due this long without being delivered; 0 = never.
   * Default 0 (never). */
  webhookUnreadyAfterMs?: number;
  /** Who may list and replay dead letters, when the server uses an `authorize` hook instead of
   * `secret` (with `secret`: a rw token for `*`). Default: nobody. */
  webhookOperator?: (request: IncomingMessage) => boolean | Promise<boolean>;
}

export const DEFAULT_WEBHOOK_CHANGE_DEBOUNCE_MS = 2_000;
export const DEFAULT_WEBHOOK_CHANGE_MAX_INTERVAL_MS = 30_000;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DEFAULT_WEBHOOK_RETRY_BASE_MS = 1_000;
export const DEFAULT_WEBHOOK_RETRY_MAX_MS = 60 * 60 * 1000;
export const DEFAULT_WEBHOOK_RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_WEBHOOK_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_WEBHOOK_MAX_OUTBOX_ROWS = 100_000;
export const DEFAULT_WEBHOOK_DEAD_LETTER_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Off: a receiver that is down must not take editing out of a load balancer (every instance
 * shares the outbox, so all would go unready at once). Alert on the webhook metrics instead. */
export const DEFAULT_WEBHOOK_UNREADY_AFTER_MS = 0;

export type ResolvedWebhookOptions = Required<
  Omit<WebhookOptions, 'webhookSecret' | 'webhookOperator'>
> &
  Pick<WebhookOptions, 'webhookSecret' | 'webhookOperator'>;

export function resolveWebhookOptions(options: WebhookOptions): ResolvedWebhookOptions {
  return {
    webhookUrls: options.webhookUrls ?? [],
    webhookSecret: options.webhookSecret,
    webhookOperator: options.webhookOperator,
    webhookIncludeText: options.webhookIncludeText ?? false,
    webhookChangeDebounceMs: options.webhookChangeDebounceMs ?? DEFAULT_WEBHOOK_CHANGE_DEBOUNCE_MS,
    webhookChangeMaxIntervalMs:
      options.webhookChangeMaxIntervalMs ?? DEFAULT_WEBHOOK_CHANGE_MAX_INTERVAL_MS,
    webhookTimeoutMs: options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS,
    webhookRetryBaseMs: options.webhookRetryBaseMs ?? DEFAULT_WEBHOOK_RETRY_BASE_MS,
    webhookRetryMaxMs: options.webhookRetryMaxMs ?? DEFAULT_WEBHOOK_RETRY_MAX_MS,
    webhookRetryWindowMs: options.webhookRetryWindowMs ?? DEFAULT_WEBHOOK_RETRY_WINDOW_MS,
    webhookPollIntervalMs: options.webhookPollIntervalMs ?? DEFAULT_WEBHOOK_POLL_INTERVAL_MS,
    webhookMaxOutboxRows: options.webhookMaxOutboxRows ?? DEFAULT_WEBHOOK_MAX_OUTBOX_ROWS,
    webhookDeadLetterRetentionMs:
      options.webhookDeadLetterRetentionMs ?? DEFAULT_WEBHOOK_DEAD_LETTER_RETENTION_MS,
    webhookUnreadyAfterMs: options.webhookUnreadyAfterMs ?? DEFAULT_WEBHOOK_UNREADY_AFTER_MS,
  };
}

/** What is wrong with the webhook options, each with its fix. */
export function webhookOptionProblems(o: ResolvedWebhookOptions): string[] {
  const problems: string[] = [];
  if (!Array.isArray(o.webhookUrls)) return ['webhookUrls must be an array of URLs'];
  for (const url of o.webhookUrls) {
    const problem = webhookUrlProblem(url);
    if (problem) problems.push(`webhook URL ${problem}`);
  }
  if (o.webhookUrls.length > 0 && o.webhookSecret === undefined) {
    problems.push(
      'webhookUrls need webhookSecret, the key receivers check signatures with ' +
        '(generate one with `openssl rand -base64 32`)',
    );
  }
  if (
    o.webhookSecret !== undefined &&
    (typeof o.webhookSecret !== 'string' || o.webhookSecret.length < MIN_SECRET_LENGTH)
  ) {
    problems.push(
      `webhookSecret must have at least ${MIN_SECRET_LENGTH} characters ` +
        '(generate one with `openssl rand -base64 32`)',
    );
  }
  const positive = [
    'webhookChangeDebounceMs',
    'webhookChangeMaxIntervalMs',
    'webhookTimeoutMs',
    'webhookRetryBaseMs',
    'webhookRetryMaxMs',
    'webhookRetryWindowMs',
    'webhookPollIntervalMs',
    'webhookMaxOutboxRows',
    'webhookDeadLetterRetentionMs',
  ] as const;
  for (const key of positive) {
    const value = o[key];
    if (!Number.isInteger(value) || value <= 0) {
      problems.push(`${key} must be a positive integer (got ${String(value)})`);
    }
  }
  if (!Number.isInteger(o.webhookUnreadyAfterMs) || o.webhookUnreadyAfterMs < 0) {
    problems.push(
      `webhookUnreadyAfterMs must be an integer ≥ 0 (0 = never; got ${o.webhookUnreadyAfterMs})`,
    );
  }
  if (o.webhookChangeMaxIntervalMs < o.webhookChangeDebounceMs) {
    problems.push(
      `webhookChangeMaxIntervalMs (${o.webhookChangeMaxIntervalMs}) must be at least ` +
        `webhookChangeDebounceMs (${o.webhookChangeDebounceMs})`,
    );
  }
  return problems;
}
