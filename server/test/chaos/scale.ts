/**
 * Every count and duration of the chaos cases, in one place: `npm test` runs SHORT (all cases in
 * about a minute on two cores); scripts/chaos.mjs scales the same numbers up for long runs.
 * QUIRE_CHAOS_SEED overrides each case's seed, to replay a failure printed by a run.
 */
export interface ChaosScale {
  /** Typing cadence: each typist waits a random time in this range between keystrokes. */
  typingMs: { minMs: number; maxMs: number };
  /** How long the clients get to converge after the last fault is lifted. */
  healTimeoutMs: number;
  /** How long presence may take to be right once the documents have converged. */
  presenceTimeoutMs: number;
  restarts: {
    typists: number;
    kills: number;
    terms: number;
    /** Markers each typist types between one restart and the next (while connected). */
    markersBetweenRestarts: number;
  };
  storm: {
    /** Clients dropped at once. */
    crowd: number;
    typists: number;
    /** Times the whole crowd is dropped. */
    storms: number;
  };
  slowLinks: {
    writers: number;
    /** Size of each writer's insert: big, so the room's traffic passes the send high-water mark
     * of the stalled reader quickly. */
    insertBytes: number;
    /** Bytes the writers produce together; more than the kernel buffers of a stalled loopback
     * connection (about 4 MiB here) plus the high-water mark, or the server never notices. */
    totalBytes: number;
    /** Cap of the slow reader's link (server → client). The capped reader's backlog must pass
     * the ~4.5 MiB the kernel holds (or the server never sees it lag), and what it then missed
     * (the rest of the paste, sent as one resync) must drain within slowConsumerTimeoutMs, or it
     * is rightly closed too: at 2 MiB/s both hold with a 2x margin for an 8 MiB paste that
     * takes 0.3–1.5 s to send. At 64 KiB/s the backlog alone would take over a minute to drain
     * (the long run uses such links, with the CLI's default limits). */
    slowLinkBytesPerSecond: number;
    sendHighWaterBytes: number;
    slowConsumerTimeoutMs: number;
  };
  halfOpen: {
    heartbeatIntervalMs: number;
    /** Clients in the room besides the one whose link goes half-open. */
    others: number;
  };
}

export const SHORT: ChaosScale = {
  typingMs: { minMs: 20, maxMs: 40 },
  healTimeoutMs: 20_000,
  presenceTimeoutMs: 3_000,
  restarts: { typists: 3, kills: 5, terms: 2, markersBetweenRestarts: 8 },
  storm: { crowd: 50, typists: 5, storms: 2 },
  slowLinks: {
    writers: 3,
    insertBytes: 32 * 1024,
    totalBytes: 8 * 1024 * 1024,
    slowLinkBytesPerSecond: 2 * 1024 * 1024,
    sendHighWaterBytes: 64 * 1024,
    slowConsumerTimeoutMs: 3_000,
  },
  halfOpen: { heartbeatIntervalMs: 300, others: 3 },
};

/** What the long run (scripts/chaos.mjs) can inject, and how often (relative weights). */
export const FAULT_KINDS = [
  'kill',
  'term',
  'reset',
  'midFrameReset',
  'latency',
  'bandwidth',
  'stall',
  'storm',
  'burst',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface LongRunScale {
  typingMs: { minMs: number; maxMs: number };
  /** Typists behind the fault proxy (alternating 3.x and 1.x), plus one typist and one reader
   * connected directly (they see restarts only). */
  typistsBehindProxy: number;
  /** Each document lives this long, then is checked on disk; the next one starts fresh. */
  epochMs: number;
  /** How long a lasting fault (latency, cap, stall) stays on. */
  faultMs: { min: number; max: number };
  latencyMs: { min: number; max: number };
  bandwidthBytesPerSecond: { min: number; max: number };
  stormClients: { min: number; max: number };
  burstMarkers: { min: number; max: number };
  /** Every this many faults, typing pauses and the room must be identical (not just caught up). */
  fullCheckEvery: number;
  healTimeoutMs: number;
  presenceTimeoutMs: number;
  mix: Record<FaultKind, number>;
}

export const LONG: LongRunScale = {
  typingMs: SHORT.typingMs,
  typistsBehindProxy: 4,
  epochMs: 120_000,
  faultMs: { min: 500, max: 3_000 },
  latencyMs: { min: 20, max: 400 },
  bandwidthBytesPerSecond: { min: 16 * 1024, max: 256 * 1024 },
  stormClients: { min: 10, max: 40 },
  burstMarkers: { min: 100, max: 1_000 },
  fullCheckEvery: 5,
  healTimeoutMs: 30_000,
  presenceTimeoutMs: SHORT.presenceTimeoutMs,
  mix: {
    kill: 4,
    term: 2,
    reset: 3,
    midFrameReset: 3,
    latency: 2,
    bandwidth: 2,
    stall: 2,
    storm: 2,
    burst: 2,
  },
};

/** The seed of one case: QUIRE_CHAOS_SEED if set, else the case's own fixed default. */
export function chaosSeed(defaultSeed: number): number {
  const fromEnv = Number(process.env.QUIRE_CHAOS_SEED);
  return Number.isInteger(fromEnv) && process.env.QUIRE_CHAOS_SEED !== '' ? fromEnv : defaultSeed;
}
