/**
 * Retention: which versions are kept as they age. Every version is kept for `keepAllMs` (24 h);
 * from then until `keepHourlyMs` of age (30 days), the newest version of each clock hour; after
 * that, the newest of each UTC day, for ever. Labelled versions are kept until deleted.
 *
 * Buckets are fixed clock hours and days (not spans measured from each version), so thinning is
 * idempotent and runs on any instance, at any time, with the same result: a run after another
 * deletes nothing more until time moves on. The newest version is always the newest of its
 * bucket, so the "unchanged?" check of the next save (version-policy.ts) always has it.
 *
 * `RetentionRunner` applies the rules every `intervalMs` to every document with versions, one
 * page of documents at a time; the clock is injectable for tests. The same pass removes the
 * versions of documents that are gone from the store (purged after a delete by a path that did
 * not remove its versions too), so no history outlives its document for long.
 */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { VersionInfo, VersionStore } from './version-store.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Defaults: everything for 24 h, hourly to 30 days, a pass every hour. */
export const DEFAULT_VERSIONS_KEEP_ALL_MS = DAY_MS;
export const DEFAULT_VERSIONS_KEEP_HOURLY_MS = 30 * DAY_MS;
export const DEFAULT_VERSION_THIN_INTERVAL_MS = HOUR_MS;

export interface RetentionRules {
  /** Versions younger than this are all kept. */
  keepAllMs: number;
  /** Up to this age, one version per hour is kept; older, one per day. */
  keepHourlyMs: number;
}

/** The ids of `versions` (one document's) that the rules no longer keep at `now`. */
export function versionsToThin(
  versions: readonly VersionInfo[],
  now: number,
  rules: RetentionRules,
): number[] {
  const newestFirst = [...versions].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const seen = new Set<string>();
  const thinned: number[] = [];
  for (const v of newestFirst) {
    const age = now - v.createdAt;
    if (v.label !== undefined || age < rules.keepAllMs) continue;
    const bucket =
      age < rules.keepHourlyMs
        ? `h${Math.floor(v.createdAt / HOUR_MS)}`
        : `d${Math.floor(v.createdAt / DAY_MS)}`;
    // The first one met in a bucket is its newest.
    if (seen.has(bucket)) thinned.push(v.id);
    else seen.add(bucket);
  }
  return thinned;
}

export interface RetentionRunnerOptions {
  versions: VersionStore;
  rules: RetentionRules;
  /** How often a thinning pass runs. */
  intervalMs: number;
  log: Logger;
  metrics: Metrics;
  now?: () => number;
  /** Whether the store still holds a document; versions of one it does not are removed.
   * Default: every document exists. */
  documentExists?(name: string): Promise<boolean>;
}

/** Documents read per page while walking the store. */
const DOCUMENTS_PER_PAGE = 100;

export class RetentionRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: RetentionRunnerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.runOnce().catch(() => {});
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One pass over every document with versions; resolves with how many were deleted. A pass
   * already running is joined, not doubled. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const { versions, rules, log, metrics } = this.options;
    let deleted = 0;
    let after: string | undefined;
    for (;;) {
      const docs = await versions.documents({
        limit: DOCUMENTS_PER_PAGE,
        ...(after === undefined ? {} : { after }),
      });
      for (const doc of docs) {
        try {
          const all = await versions.list(doc);
          const gone = this.options.documentExists && !(await this.options.documentExists(doc));
          const thin = gone ? all.map((v) => v.id) : versionsToThin(all, this.now(), rules);
          if (thin.length === 0) continue;
          const removed = await versions.remove(doc, thin);
          deleted += removed;
          metrics.versionsThinned += removed;
        } catch (error) {
          // One document's failure must not stop the others' thinning.
          log.error('thinning versions failed', { doc, error: errorMessage(error) });
        }
      }
      if (docs.length < DOCUMENTS_PER_PAGE) break;
      after = docs.at(-1);
    }
    if (deleted > 0) log.info('versions thinned', { deleted });
    return deleted;
  }
}
