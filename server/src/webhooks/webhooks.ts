/**
 * Webhooks (docs/operations.md#webhooks): the server's one object for them. It records events
 * into the store's outbox (event-recorder.ts, change-debounce.ts), runs one sender per receiver
 * (delivery.ts), refreshes the outbox's counts for metrics, the cap and readiness, purges old
 * dead letters, and serves the dead-letter routes (webhook-routes.ts).
 *
 * Events are created only by the instance where the change happened: the hooks are called for
 * this instance's writes (a room's local changes, the API's creates, deletes, renames and
 * restores, versions it saves or restores, its purges), never for what it hears on the bus.
 */
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { ConfigError } from '../config.js';
import { editorText } from '../documents/editor-text.js';
import type { VersionedRoom } from '../history/version-policy.js';
import { errorMessage, type Logger } from '../log.js';
import type { ChangeOrigin } from '../room/change-origin.js';
import { ChangeDebounce } from './change-debounce.js';
import { ReceiverSender } from './delivery.js';
import { EventRecorder, type EventFields, type PreparedEvent } from './event-recorder.js';
import type { DeadLetter, OutboxStats, WebhookOutbox } from './outbox.js';
import { receiversFrom, type WebhookReceiver } from './receivers.js';
import { WebhookMetrics } from './webhook-metrics.js';
import type { ResolvedWebhookOptions } from './webhook-options.js';

/** How often the outbox is counted (metrics, cap, readiness) and old dead letters purged, at
 * most; tests with a short poll interval count more often (5 polls). */
export const WEBHOOK_STATS_INTERVAL_MS = 5_000;
/** Largest editor text put in a body (UTF-8 bytes); a larger one is left out and the body says
 * `textTooLarge: true`. */
export const WEBHOOK_MAX_TEXT_BYTES = 1024 * 1024;
/** Dead letters one purge pass removes. */
const PURGE_BATCH = 1_000;

/** What the document API tells webhooks (documents/document-service.ts). */
export interface DocumentEvents {
  /** A create is about to be stored; confirm when it was. */
  creating(doc: string, text: string, actor?: string): PreparedEvent;
  /** A delete is about to be stored; confirm when it was. */
  deleting(doc: string, actor?: string): PreparedEvent;
  /** A rename of `from` to `to` is about to be stored; confirm when it was. */
  renaming(from: string, to: string, actor?: string): PreparedEvent;
  /** A deleted document's tombstone is about to be lifted; confirm when it was. */
  restoring(doc: string, actor?: string): PreparedEvent;
  /** Deleted documents were purged (their content is gone for good). */
  purged(docs: readonly string[]): void;
}

/** What version history tells webhooks (http/api/versions.ts). */
export interface VersionEvents {
  /** Version `versionId`'s text is about to be restored; confirm with the outcome. */
  versionRestoring(doc: string, versionId: number, actor?: string): PreparedEvent;
}

export interface WebhooksDeps {
  options: ResolvedWebhookOptions;
  outbox: WebhookOutbox;
  log: Logger;
  registry: Registry;
  now?: () => number;
}

export interface WebhookHealth {
  ok: boolean;
  reason?: string;
}

export class Webhooks implements DocumentEvents, VersionEvents {
  readonly receivers: WebhookReceiver[];
  private readonly recorder: EventRecorder;
  private readonly debounce: ChangeDebounce;
  private readonly senders: ReceiverSender[];
  private readonly metrics: WebhookMetrics;
  private readonly statsIntervalMs: number;
  private statsTimer: NodeJS.Timeout | null = null;
  private stats: OutboxStats | null = null;
  private statsError: string | null = null;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: WebhooksDeps) {
    const { options, outbox, log } = deps;
    this.now = deps.now ?? Date.now;
    this.receivers = receiversFrom(options.webhookUrls);
    this.metrics = new WebhookMetrics(deps.registry);
    this.recorder = new EventRecorder({
      outbox,
      receivers: this.receivers.map((r) => r.key),
      log,
      metrics: this.metrics,
      maxRows: options.webhookMaxOutboxRows,
      onDue: () => this.kick(),
      now: this.now,
    });
    this.debounce = new ChangeDebounce({
      recorder: this.recorder,
      debounceMs: options.webhookChangeDebounceMs,
      maxIntervalMs: options.webhookChangeMaxIntervalMs,
      textFields: (room) => this.textFields(room),
    });
    const owner = randomUUID();
    this.senders = this.receivers.map(
      (receiver) =>
        new ReceiverSender({
          outbox,
          receiver,
          owner,
          secret: options.webhookSecret!,
          log,
          metrics: this.metrics,
          timeoutMs: options.webhookTimeoutMs,
          retryBaseMs: options.webhookRetryBaseMs,
          retryMaxMs: options.webhookRetryMaxMs,
          retryWindowMs: options.webhookRetryWindowMs,
          pollIntervalMs: options.webhookPollIntervalMs,
          now: this.now,
        }),
    );
    this.statsIntervalMs = Math.min(WEBHOOK_STATS_INTERVAL_MS, 5 * options.webhookPollIntervalMs);
  }

  start(): void {
    for (const sender of this.senders) sender.start();
    void this.refresh();
  }

  /** A room's change (room.ts `onChange`); `created`: the change gave an empty document its
   * first content (a WebSocket client creates a document by typing in it). */
  changed(room: VersionedRoom, origin: ChangeOrigin, created: boolean): void {
    if (origin.kind === 'bus') return;
    if (created && origin.kind === 'connection') {
      this.recorder.record('document.created', room.name, {
        createdBy: room.authorName(origin.peer),
        ...this.textFields(room),
      });
    }
    this.debounce.changed(room, origin);
  }

  creating(doc: string, text: string, actor?: string): PreparedEvent {
    return this.recorder.prepare('document.created', doc, {
      createdBy: actor ?? null,
      ...this.textOf(text),
    });
  }

  deleting(doc: string, actor?: string): PreparedEvent {
    this.debounce.flush(doc);
    return this.recorder.prepare('document.deleted', doc, { deletedBy: actor ?? null });
  }

  renaming(from: string, to: string, actor?: string): PreparedEvent {
    // Changes made under the old name are reported under it, before the rename.
    this.debounce.flush(from);
    return this.recorder.prepare('document.renamed', from, { from, to, renamedBy: actor ?? null });
  }

  restoring(doc: string, actor?: string): PreparedEvent {
    return this.recorder.prepare('document.restored', doc, { restoredBy: actor ?? null });
  }

  /** Recorded after the purge: its names are known only once the store has removed them (see
   * docs/operations.md: the one event that a crash at the wrong moment can lose). */
  purged(docs: readonly string[]): void {
    for (const doc of docs) this.recorder.record('document.purged', doc);
  }

  versionRestoring(doc: string, versionId: number, actor?: string): PreparedEvent {
    return this.recorder.prepare('version.restored', doc, {
      version: { id: versionId },
      restoredBy: actor ?? null,
    });
  }

  /** A version is about to be stored (history/version-policy.ts); confirm with its fields. */
  versionSaving(doc: string): PreparedEvent {
    return this.recorder.prepare('version.created', doc);
  }

  /** For readiness (/readyz): not ok while the outbox cannot be read, is full, or holds an
   * event due for longer than webhookUnreadyAfterMs. */
  health(): WebhookHealth {
    if (this.statsError !== null) {
      return { ok: false, reason: `webhook outbox cannot be read: ${this.statsError}` };
    }
    if (this.recorder.full) {
      return {
        ok: false,
        reason: `webhook outbox full (${this.deps.options.webhookMaxOutboxRows} rows): new events are dropped`,
      };
    }
    const limit = this.deps.options.webhookUnreadyAfterMs;
    const oldest = this.stats?.oldestDueAt ?? null;
    if (limit > 0 && oldest !== null && this.now() - oldest > limit) {
      const minutes = Math.round((this.now() - oldest) / 60_000);
      return {
        ok: false,
        reason: `a webhook event has waited ${minutes} min to be delivered (is a receiver down?)`,
      };
    }
    return { ok: true };
  }

  /** Dead letters, oldest first, with their receiver's origin (null: no longer configured). */
  async deadLetters(
    limit: number,
    afterSeq?: number,
  ): Promise<(DeadLetter & { receiverOrigin: string | null })[]> {
    const dead = await this.deps.outbox.deadLetters(limit, afterSeq);
    return dead.map((d) => ({
      ...d,
      receiverOrigin: this.receivers.find((r) => r.key === d.receiver)?.origin ?? null,
    }));
  }

  /** Makes a dead letter pending again: 'replayed', 'not-found', or 'unknown-receiver' (its
   * receiver is no longer configured, so nothing would send it). */
  async replay(seq: number): Promise<'replayed' | 'not-found' | 'unknown-receiver'> {
    const dead = (await this.deps.outbox.deadLetters(1, seq - 1))[0];
    if (!dead || dead.seq !== seq) return 'not-found';
    if (!this.receivers.some((r) => r.key === dead.receiver)) return 'unknown-receiver';
    if (!(await this.deps.outbox.replay(seq, this.now()))) return 'not-found';
    this.deps.log.info('webhook dead letter replayed', { seq, event: dead.event });
    this.kick();
    return 'replayed';
  }

  /** Ends open change windows (their events become due), stops the senders and waits for the
   * outbox writes: call before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.statsTimer = null;
    this.debounce.flushAll();
    await Promise.all(this.senders.map((s) => s.stop()));
    await this.recorder.drain();
  }

  private kick(): void {
    for (const sender of this.senders) sender.kick();
  }

  private async refresh(): Promise<void> {
    const { outbox, options, log } = this.deps;
    try {
      const now = this.now();
      await outbox.purgeDead(now - options.webhookDeadLetterRetentionMs, PURGE_BATCH);
      const stats = await outbox.stats(
        this.receivers.map((r) => r.key),
        now,
      );
      this.stats = stats;
      this.recorder.setRowCount(stats.total);
      this.metrics.observeStats(stats, now);
      if (this.statsError !== null) log.info('webhook outbox readable again');
      this.statsError = null;
    } catch (error) {
      if (this.closed) return;
      if (this.statsError === null) {
        log.warn('webhook outbox cannot be read', { error: errorMessage(error) });
      }
      this.statsError = errorMessage(error);
    }
    if (this.closed) return;
    this.statsTimer = setTimeout(() => void this.refresh(), this.statsIntervalMs);
    this.statsTimer.unref();
  }

  private textFields(room: VersionedRoom): EventFields {
    return this.deps.options.webhookIncludeText ? this.textOf(editorText(room.doc)) : {};
  }

  private textOf(text: string): EventFields {
    if (!this.deps.options.webhookIncludeText) return {};
    return Buffer.byteLength(text) > WEBHOOK_MAX_TEXT_BYTES ? { textTooLarge: true } : { text };
  }
}

/** The server's webhooks, or null when no receiver is configured. Throws ConfigError when the
 * store keeps no outbox (a custom StorageAdapter without `outbox`). */
export function createWebhooks(
  options: ResolvedWebhookOptions,
  storage: { outbox?: WebhookOutbox },
  log: Logger,
  registry: Registry,
): Webhooks | null {
  if (options.webhookUrls.length === 0) return null;
  if (!storage.outbox) {
    throw new ConfigError([
      'webhookUrls need a storage adapter with an outbox (SQLite, PostgreSQL and MemoryStorage have one)',
    ]);
  }
  return new Webhooks({ options, outbox: storage.outbox, log, registry });
}
