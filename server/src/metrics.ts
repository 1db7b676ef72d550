/**
 * What /metrics shows, on a prom-client registry of this server's own (several servers can live
 * in one process, so never prom-client's global one). Labels never carry document names or
 * tokens (unbounded cardinality, and names can be private).
 *
 * Counting stays a field increment (`metrics.connectionsOpened++`): cheap on hot paths, and
 * every module keeps its way of counting. Each counter reads its field when scraped
 * (observability/counters.ts). Durations and sizes are prom-client histograms, observed where
 * they happen. Other modules add their own metrics on `registry`, or with `readCounter` /
 * `readGauge` for a figure they already keep. docs/operations.md lists every metric.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FIELD_COUNTERS } from './observability/counters.js';
import { LightHistogram } from './observability/light-histogram.js';
import { registerProcessMetrics } from './observability/process-metrics.js';

/** Seconds: from well under a millisecond (a page-cache fsync, a small commit) to seconds (a
 * stalled disk or database). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Seconds, for work that reads a whole document. */
const LOAD_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bytes: a keystroke's update is tens of bytes, a pasted or initial sync can be megabytes. */
const SIZE_BUCKETS = [16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];

export interface MetricsOptions {
  /** Include prom-client's process metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean;
}

export class Metrics {
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

  /** One group-commit fsync (persistence/group-commit.ts), failed ones included. */
  readonly fsyncSeconds = this.histogram(
    'quire_fsync_seconds',
    'Time of one group-commit fsync (one per round, shared by every document written in it).',
    LATENCY_BUCKETS,
  );
  /** One append, until the store has it (SQLite: written to the WAL; PostgreSQL: committed). */
  readonly storageAppendSeconds = this.histogram(
    'quire_storage_append_seconds',
    'Time from handing an update to storage until it is stored (SQLite: in the WAL; PostgreSQL: committed).',
    LATENCY_BUCKETS,
  );
  /** One PostgreSQL group-commit transaction (storage/postgres-append-batch.ts). */
  readonly postgresCommitSeconds = this.histogram(
    'quire_postgres_commit_seconds',
    'Time of one PostgreSQL append transaction (a batch of appends, one COMMIT), failed ones included.',
    LATENCY_BUCKETS,
  );
  readonly postgresCommitAppends = this.histogram(
    'quire_postgres_commit_appends',
    'Appends carried by one committed PostgreSQL transaction.',
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  /** From the first write an fsync covers to that fsync's success (persistence/persisted-ack.ts):
   * how long a client may show "Saving…". */
  readonly persistedAckSeconds = this.histogram(
    'quire_persisted_ack_seconds',
    'Time from a write to the fsync that made it durable (its persisted ack), per document and round: the oldest write each covers.',
    LATENCY_BUCKETS,
  );
  readonly documentLoadSeconds = this.histogram(
    'quire_document_load_seconds',
    'Time to load a document from storage (read and rebuild).',
    LOAD_BUCKETS,
  );
  readonly messageReceivedBytes = this.histogram(
    'quire_message_received_bytes',
    'Size of each WebSocket message received.',
    SIZE_BUCKETS,
  );
  readonly busCatchUpSeconds = new Histogram({
    name: 'quire_bus_catch_up_seconds',
    help: 'Time of one catch-up from storage (read and merge), by what caused it: gap, check, reconnect or subscribed.',
    labelNames: ['reason'],
    buckets: LOAD_BUCKETS,
    registers: [this.registry],
  });
  /** Gapless stores only: how far a received seq is above what this instance held (1: the next
   * one, in order). */
  readonly busSeqDistance = this.histogram(
    'quire_bus_seq_distance',
    "How far each seq received on the bus was above the document's held seq (1 = in order; more = that many minus one missing so far). Gapless stores (PostgreSQL) only.",
    [1, 2, 3, 5, 10, 25, 100, 1000],
  );

  private gauges: () => { connections: number; rooms: number } = () => ({
    connections: 0,
    rooms: 0,
  });

  constructor(options: MetricsOptions = {}) {
    for (const [field, name, help] of FIELD_COUNTERS) {
      this.readCounter(name, help, () => this[field]);
    }
    this.readGauge(
      'quire_connections',
      'Open WebSocket connections.',
      () => this.gauges().connections,
    );
    this.readGauge('quire_rooms', 'Documents loaded in memory.', () => this.gauges().rooms);
    if (options.processMetrics ?? true) registerProcessMetrics(this.registry);
  }

  /** Where the connection and room gauges come from (the server). */
  setGauges(source: () => { connections: number; rooms: number }): void {
    this.gauges = source;
  }

  observeLoad(ms: number): void {
    this.documentLoadSeconds.observe(ms / 1000);
  }

  /** A counter whose value `read` returns at each scrape (a count kept elsewhere). */
  readCounter(name: string, help: string, read: () => number): Counter {
    return new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  /** A gauge whose value `read` returns at each scrape. */
  readGauge(name: string, help: string, read: () => number): Gauge {
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Prometheus text format of everything registered. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Label-less histograms are observed on hot paths: the light kind (light-histogram.ts). */
  private histogram(name: string, help: string, buckets: number[]): LightHistogram {
    return new LightHistogram(name, help, buckets, this.registry);
  }
}
