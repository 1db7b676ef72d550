/**
 * What a server reports about the services it depends on: one readiness check per dependency
 * in use (http/readiness.ts), and the figures those services keep themselves (the group
 * commit's failures, PostgreSQL's batched commits, the Redis bus's dropped messages) as metrics.
 * Every service is recognised by what it offers, not by its class, so custom adapters that offer
 * the same methods are reported too.
 */
import type { DocumentBus } from '../bus/adapter.js';
import { RedisBus } from '../bus/redis.js';
import { busUnreadyReason } from '../http/http-routes.js';
import { Readiness } from '../http/readiness.js';
import type { Metrics } from '../metrics.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { availabilityOf } from '../persistence/store-health.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { PostgresStorage } from '../storage/postgres.js';
import type { AppendBatchStats, CommitObserver } from '../storage/postgres-append-batch.js';

export interface ObservedServices {
  store: DocumentStore;
  storage: StorageAdapter;
  bus?: DocumentBus | undefined;
  /** False once shutdown began. */
  isAccepting(): boolean;
}

/** The checks, most important first (the first failing one is /readyz's `reason`): shutdown,
 * the database's reachability, unsaved work, then the bus. */
export function createReadiness(services: ObservedServices): Readiness {
  const readiness = new Readiness();
  const { store, storage, bus } = services;
  readiness.add('server', () => (services.isAccepting() ? null : 'shutting down'));
  const availability = availabilityOf(storage);
  if (availability) {
    readiness.add(storeName(storage), () => availability.unavailableReason());
  }
  readiness.add('storage', () => {
    const reason = store.unhealthyReason();
    // An unreachable database is its own check's to report: here, only what it costs.
    if (reason === null || reason !== availability?.unavailableReason()) return reason;
    const unsaved = store.durabilityStats().unsavedDocuments;
    return unsaved > 0 ? `storage writes are failing: ${unsaved} document(s) not saved` : null;
  });
  if (bus && typeof (bus as { unhealthyReason?: unknown }).unhealthyReason === 'function') {
    readiness.add(busName(bus), () => busUnreadyReason(bus));
  }
  return readiness;
}

export function observeServices(
  metrics: Metrics,
  readiness: Readiness,
  services: ObservedServices,
): void {
  const { store, storage, bus } = services;
  readiness.registerMetric(metrics.registry);
  metrics.readCounter(
    'quire_fsync_failures_total',
    'Group-commit fsyncs that failed (every write since the last good one is rewritten).',
    () => store.durabilityStats().fsyncFailures,
  );
  metrics.readGauge(
    'quire_unsaved_documents',
    'Loaded documents whose storage lacks part of their state (kept in memory, retried).',
    () => store.durabilityStats().unsavedDocuments,
  );
  const batched = storage as {
    appendStats?: () => AppendBatchStats;
    observeCommits?: (observer: CommitObserver | null) => void;
  };
  if (typeof batched.appendStats === 'function') {
    const stats = () => batched.appendStats!();
    metrics.readCounter(
      'quire_postgres_commits_total',
      'PostgreSQL append transactions committed (group commit: several appends each).',
      () => stats().commits,
    );
    metrics.readCounter(
      'quire_postgres_committed_appends_total',
      'Appends carried by committed PostgreSQL transactions.',
      () => stats().appends,
    );
    metrics.readCounter(
      'quire_postgres_commit_retries_total',
      'PostgreSQL append transactions retried after a deadlock or serialization failure.',
      () => stats().retries,
    );
    metrics.readCounter(
      'quire_postgres_failed_batches_total',
      'PostgreSQL append transactions whose appends failed (the documents are repaired later).',
      () => stats().failedBatches,
    );
  }
  batched.observeCommits?.call(storage, (seconds, appends, committed) => {
    metrics.postgresCommitSeconds.observe(seconds);
    if (committed) metrics.postgresCommitAppends.observe(appends);
  });
  const counts = bus as { malformedMessages?: unknown; droppedMessages?: unknown } | undefined;
  if (typeof counts?.malformedMessages === 'number') {
    metrics.readCounter(
      'quire_bus_wire_malformed_total',
      'Messages on a subscribed bus channel that were not well-formed envelopes: dropped.',
      () => counts.malformedMessages as number,
    );
  }
  if (typeof counts?.droppedMessages === 'number') {
    metrics.readCounter(
      'quire_bus_publish_dropped_total',
      'Messages the bus did not get to Redis (over the pending bound, refused or lost); receivers catch up from storage.',
      () => counts.droppedMessages as number,
    );
  }
}

/** 'postgres' for PostgreSQL, 'database' for another store that can be unreachable. */
function storeName(storage: StorageAdapter): string {
  return storage instanceof PostgresStorage ? 'postgres' : 'database';
}

function busName(bus: DocumentBus): string {
  return bus instanceof RedisBus ? 'redis' : 'bus';
}
