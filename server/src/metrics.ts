import { Registry } from 'prom-client';

/**
 * Process-wide counters, exposed in Prometheus text format at /metrics. Labels never carry
 * document names or tokens (unbounded cardinality, and names can be private).
 */
export class Metrics {
  /** This server's prom-client registry: other modules register their own metrics on it
   * (several servers can live in one process, so never the global one). */
  readonly registry = new Registry();
  connectionsOpened = 0;
  connectionsClosed = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  messagesSent = 0;
  bytesSent = 0;
  updatesPersisted = 0;
  persistenceErrors = 0;
  compactions = 0;
  roomsLoaded = 0;
  roomsUnloaded = 0;
  loadFailures = 0;
  protocolErrors = 0;
  /** Confirmed rollback reports from clients (rollback-report.ts): alert on any increase. */
  storageRollbacksReported = 0;
  /** Updates that arrived before what they depend on (held back, not applied)… */
  syncGapUpdates = 0;
  /** …and the sync step 1 requests they caused (one per round). */
  syncGapRequests = 0;
  /** Times a connection went over its message or byte budget and its socket was paused. */
  connectionsThrottled = 0;
  /** Other instances' updates received on the bus, and those that failed to apply. */
  busMessagesReceived = 0;
  busMessagesRefused = 0;
  /** Bus messages that were not well-formed (garbage on a document's channel): dropped. */
  busMessagesMalformed = 0;
  /** Catch-ups from storage (bus/room-link.ts), those that filled a gap in the seqs, and those
   * that failed (retried later). */
  busCatchUps = 0;
  busGapRepairs = 0;
  busCatchUpFailures = 0;
  /** Bus subscriptions that failed or timed out (the room is served locally meanwhile and the
   * subscription retried). */
  busSubscribeFailures = 0;
  /** Presence across instances (bus/presence-link.ts): messages published and received, those
   * dropped as malformed (or from one instance too many), single states refused (invalid, or
   * over the per-room cap), and other instances found gone (silent or said goodbye). */
  busPresencePublished = 0;
  busPresenceReceived = 0;
  busPresenceRefused = 0;
  busPresenceStatesRefused = 0;
  busInstancesGone = 0;
  /** Queued writes or sends of a room that threw; the room went on (room/write-chain.ts). */
  roomChainFailures = 0;
  /** Slow readers resynced in place once their socket drained. */
  slowConsumerResyncs = 0;
  /** Slow readers closed with 1013 because they did not drain in time. */
  slowConsumersClosed = 0;
  /** Versions saved (history/version-policy.ts), saves that found the document unchanged, and
   * saves that failed. */
  versionsSaved = 0;
  versionsUnchanged = 0;
  versionSaveFailures = 0;
  /** Versions deleted by retention (history/retention.ts). */
  versionsThinned = 0;
  private loadMsTotal = 0;

  observeLoad(ms: number): void {
    this.loadMsTotal += ms;
  }

  render(gauges: { connections: number; rooms: number }): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(
        `# HELP quire_${name} ${help}`,
        `# TYPE quire_${name} counter`,
        `quire_${name} ${value}`,
      );
    };
    const gauge = (name: string, help: string, value: number) => {
      lines.push(
        `# HELP quire_${name} ${help}`,
        `# TYPE quire_${name} gauge`,
        `quire_${name} ${value}`,
      );
    };
    gauge('connections', 'Open WebSocket connections.', gauges.connections);
    gauge('rooms', 'Documents loaded in memory.', gauges.rooms);
    counter('connections_opened_total', 'WebSocket connections accepted.', this.connectionsOpened);
    counter('connections_closed_total', 'WebSocket connections closed.', this.connectionsClosed);
    counter('messages_received_total', 'Binary messages received.', this.messagesReceived);
    counter('bytes_received_total', 'Bytes of binary messages received.', this.bytesReceived);
    counter('messages_sent_total', 'Messages sent (one per recipient).', this.messagesSent);
    counter('bytes_sent_total', 'Bytes sent (summed over recipients).', this.bytesSent);
    counter(
      'updates_persisted_total',
      'Document updates appended to storage.',
      this.updatesPersisted,
    );
    counter('persistence_errors_total', 'Failed storage writes.', this.persistenceErrors);
    counter('compactions_total', 'Log compactions.', this.compactions);
    counter('rooms_loaded_total', 'Documents loaded from storage.', this.roomsLoaded);
    counter(
      'rooms_unloaded_total',
      'Documents unloaded after their last client left.',
      this.roomsUnloaded,
    );
    counter('load_failures_total', 'Documents that failed to load.', this.loadFailures);
    counter('load_seconds_total', 'Time spent loading documents.', this.loadMsTotal / 1000);
    counter(
      'protocol_errors_total',
      'Connections closed for a malformed message.',
      this.protocolErrors,
    );
    counter(
      'storage_rollbacks_reported_total',
      'Clients that found acknowledged edits missing from storage (restored from their copies).',
      this.storageRollbacksReported,
    );
    counter(
      'sync_gap_updates_total',
      'Updates that arrived before what they depend on (a reconnect race): held back, not applied.',
      this.syncGapUpdates,
    );
    counter(
      'sync_gap_requests_total',
      'Updates that arrived before what they depend on (a reconnect race), answered with a sync request.',
      this.syncGapRequests,
    );
    counter(
      'connections_throttled_total',
      'Times a connection over its message or byte budget had its reading paused.',
      this.connectionsThrottled,
    );
    counter(
      'bus_messages_received_total',
      "Other instances' updates received on the bus.",
      this.busMessagesReceived,
    );
    counter(
      'bus_messages_refused_total',
      'Bus messages that failed to apply (logged; other documents are unaffected).',
      this.busMessagesRefused,
    );
    counter(
      'bus_messages_malformed_total',
      'Bus messages that were not well-formed: dropped (logged; nothing else is affected).',
      this.busMessagesMalformed,
    );
    counter(
      'bus_catch_ups_total',
      'Documents caught up from storage after a missed bus message, an outage or a late subscription.',
      this.busCatchUps,
    );
    counter(
      'bus_gap_repairs_total',
      'Catch-ups caused by a gap in the sequence numbers received on the bus.',
      this.busGapRepairs,
    );
    counter(
      'bus_catch_up_failures_total',
      'Catch-ups from storage that failed (retried later).',
      this.busCatchUpFailures,
    );
    counter(
      'bus_subscribe_failures_total',
      'Bus subscriptions that failed or timed out (served locally meanwhile, retried).',
      this.busSubscribeFailures,
    );
    counter(
      'bus_presence_published_total',
      'Presence messages (batched awareness changes) published to the other instances.',
      this.busPresencePublished,
    );
    counter(
      'bus_presence_received_total',
      "Other instances' presence messages received.",
      this.busPresenceReceived,
    );
    counter(
      'bus_presence_refused_total',
      'Presence messages from the bus dropped: malformed, or from one instance too many.',
      this.busPresenceRefused,
    );
    counter(
      'bus_presence_states_refused_total',
      "Other instances' client states refused: invalid, or over the per-document cap.",
      this.busPresenceStatesRefused,
    );
    counter(
      'bus_instances_gone_total',
      'Other instances found gone (heartbeats stopped, or said goodbye): their presence dropped.',
      this.busInstancesGone,
    );
    counter(
      'room_chain_failures_total',
      'Queued writes or sends of a document that threw; the document went on.',
      this.roomChainFailures,
    );
    counter(
      'slow_consumer_resyncs_total',
      'Slow readers sent what they missed in place once their socket drained.',
      this.slowConsumerResyncs,
    );
    counter(
      'slow_consumers_closed_total',
      'Slow readers closed with 1013 because their send buffer did not drain in time.',
      this.slowConsumersClosed,
    );
    counter('versions_saved_total', 'Document versions saved.', this.versionsSaved);
    counter(
      'versions_unchanged_total',
      'Version saves that found the document unchanged (nothing new stored).',
      this.versionsUnchanged,
    );
    counter('version_save_failures_total', 'Version saves that failed.', this.versionSaveFailures);
    counter('versions_thinned_total', 'Versions deleted by retention.', this.versionsThinned);
    return `${lines.join('\n')}\n`;
  }
}
