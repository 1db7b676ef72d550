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
    /** Cap of the slow reader's link (server → client). It is fast enough to take the whole
     * paste in a few seconds: with ~4 MiB in the kernel first, at 64 KiB/s the catch-up alone
     * would take minutes (the long runner uses slower links). */
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
    slowLinkBytesPerSecond: 1536 * 1024,
    sendHighWaterBytes: 64 * 1024,
    slowConsumerTimeoutMs: 2_000,
  },
  halfOpen: { heartbeatIntervalMs: 300, others: 3 },
};

/** The seed of one case: QUIRE_CHAOS_SEED if set, else the case's own fixed default. */
export function chaosSeed(defaultSeed: number): number {
  const fromEnv = Number(process.env.QUIRE_CHAOS_SEED);
  return Number.isInteger(fromEnv) && process.env.QUIRE_CHAOS_SEED !== '' ? fromEnv : defaultSeed;
}
