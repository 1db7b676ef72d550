/**
 * The counters of /metrics that mirror a numeric field of `Metrics` (metrics.ts): code counts
 * with `metrics.someField++`, and each scrape reads the fields. Names are the ones /metrics had
 * before prom-client, so dashboards and alerts keep working (docs/operations.md lists them).
 */
import type { Metrics } from '../metrics.js';

/** The numeric fields of Metrics. */
export type CountedField = {
  [K in keyof Metrics]: Metrics[K] extends number ? K : never;
}[keyof Metrics];

/** [field, metric name, help]. Every name keeps the `quire_` prefix and ends in `_total`. */
export const FIELD_COUNTERS: readonly (readonly [CountedField, string, string])[] = [
  ['connectionsOpened', 'quire_connections_opened_total', 'WebSocket connections accepted.'],
  ['connectionsClosed', 'quire_connections_closed_total', 'WebSocket connections closed.'],
  ['messagesReceived', 'quire_messages_received_total', 'WebSocket messages received.'],
  ['bytesReceived', 'quire_bytes_received_total', 'Bytes of WebSocket messages received.'],
  ['messagesSent', 'quire_messages_sent_total', 'Messages sent (one per recipient).'],
  ['bytesSent', 'quire_bytes_sent_total', 'Bytes sent (summed over recipients).'],
  ['updatesPersisted', 'quire_updates_persisted_total', 'Document updates appended to storage.'],
  [
    'persistenceErrors',
    'quire_persistence_errors_total',
    'Failed storage writes, compactions and fsyncs.',
  ],
  ['compactions', 'quire_compactions_total', 'Log compactions.'],
  ['roomsLoaded', 'quire_rooms_loaded_total', 'Documents loaded from storage.'],
  [
    'roomsUnloaded',
    'quire_rooms_unloaded_total',
    'Documents unloaded after their last client left.',
  ],
  ['loadFailures', 'quire_load_failures_total', 'Documents that failed to load.'],
  ['protocolErrors', 'quire_protocol_errors_total', 'Connections closed for a malformed message.'],
  [
    'storageRollbacksReported',
    'quire_storage_rollbacks_reported_total',
    'Clients that found acknowledged edits missing from storage (restored from their copies).',
  ],
  [
    'syncGapUpdates',
    'quire_sync_gap_updates_total',
    'Updates that arrived before what they depend on (a reconnect race): held back, not applied.',
  ],
  [
    'syncGapRequests',
    'quire_sync_gap_requests_total',
    'Updates that arrived before what they depend on (a reconnect race), answered with a sync request.',
  ],
  [
    'connectionsThrottled',
    'quire_connections_throttled_total',
    'Times a connection over its message or byte budget had its reading paused.',
  ],
  [
    'busMessagesReceived',
    'quire_bus_messages_received_total',
    "Other instances' updates received on the bus.",
  ],
  [
    'busMessagesRefused',
    'quire_bus_messages_refused_total',
    'Bus messages that failed to apply (logged; other documents are unaffected).',
  ],
  [
    'busMessagesMalformed',
    'quire_bus_messages_malformed_total',
    'Bus messages that were not well-formed: dropped (logged; nothing else is affected).',
  ],
  [
    'busCatchUps',
    'quire_bus_catch_ups_total',
    'Documents caught up from storage after a missed bus message, an outage or a late subscription.',
  ],
  [
    'busGapRepairs',
    'quire_bus_gap_repairs_total',
    'Catch-ups caused by a gap in the sequence numbers received on the bus.',
  ],
  [
    'busCatchUpFailures',
    'quire_bus_catch_up_failures_total',
    'Catch-ups from storage that failed (retried later).',
  ],
  [
    'busSubscribeFailures',
    'quire_bus_subscribe_failures_total',
    'Bus subscriptions that failed or timed out (served locally meanwhile, retried).',
  ],
  [
    'busPresencePublished',
    'quire_bus_presence_published_total',
    'Presence messages (batched awareness changes) published to the other instances.',
  ],
  [
    'busPresenceReceived',
    'quire_bus_presence_received_total',
    "Other instances' presence messages received.",
  ],
  [
    'busPresenceRefused',
    'quire_bus_presence_refused_total',
    'Presence messages from the bus dropped: malformed, or from one instance too many.',
  ],
  [
    'busPresenceStatesRefused',
    'quire_bus_presence_states_refused_total',
    "Other instances' client states refused: invalid, or over the per-document cap.",
  ],
  [
    'busInstancesGone',
    'quire_bus_instances_gone_total',
    'Other instances found gone (heartbeats stopped, or said goodbye): their presence dropped.',
  ],
  [
    'roomChainFailures',
    'quire_room_chain_failures_total',
    'Queued writes or sends of a document that threw; the document went on.',
  ],
  [
    'slowConsumerResyncs',
    'quire_slow_consumer_resyncs_total',
    'Slow readers sent what they missed in place once their socket drained.',
  ],
  [
    'slowConsumersClosed',
    'quire_slow_consumers_closed_total',
    'Slow readers closed with 1013 because their send buffer did not drain in time.',
  ],
  ['versionsSaved', 'quire_versions_saved_total', 'Document versions saved.'],
  [
    'versionsUnchanged',
    'quire_versions_unchanged_total',
    'Version saves that found the document unchanged (nothing new stored).',
  ],
  ['versionSaveFailures', 'quire_version_save_failures_total', 'Version saves that failed.'],
  ['versionsThinned', 'quire_versions_thinned_total', 'Versions deleted by retention.'],
];
