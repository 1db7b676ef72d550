/**
 * Retention on an injected clock: everything for 24 h, then the newest of each hour up to 30
 * days, then the newest of each day; labelled versions kept; thinning is idempotent; the runner
 * walks every document (more than one page), counts what it deleted, and removes the versions of
 * documents gone from the store.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage, SqliteStorage } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import {
  DAY_MS,
  HOUR_MS,
  RetentionRunner,
  versionsToThin,
  type RetentionRules,
} from '../../src/history/retention.js';
import type { VersionInfo, VersionStore } from '../../src/history/version-store.js';
import { tempDir } from '../helpers/server.js';
import { version } from './version-store-acceptance.js';

const RULES: RetentionRules = { keepAllMs: DAY_MS, keepHourlyMs: 30 * DAY_MS };
/** A round clock hour, so bucket edges in the cases below are where they look. */
const NOW = Date.UTC(2031, 5, 15, 12, 0, 0);

let nextId = 1;
const at = (createdAt: number, label?: string): VersionInfo => ({
  id: nextId++,
  createdAt,
  kind: 'auto',
  authors: [],
  ...(label === undefined ? {} : { label }),
});

describe('versionsToThin', () => {
  it('keeps every version younger than 24 h', () => {
    const young = [0, 1, 2, 3].map((m) => at(NOW - 23 * HOUR_MS - m * 60_000));
    young.push(at(NOW - 1_000), at(NOW - 1_001));
    expect(versionsToThin(young, NOW, RULES)).toEqual([]);
  });

  it('keeps the newest version of each hour from 24 h to 30 days', () => {
    const hourStart = NOW - 48 * HOUR_MS;
    const a = at(hourStart + 5 * 60_000);
    const b = at(hourStart + 30 * 60_000);
    const c = at(hourStart + 59 * 60_000); // newest of that hour
    const d = at(hourStart + HOUR_MS + 1); // the next hour: its own bucket
    const e = at(NOW - 29 * DAY_MS);
    expect(versionsToThin([a, b, c, d, e], NOW, RULES).sort()).toEqual([a.id, b.id].sort());
  });

  it('keeps the newest version of each UTC day past 30 days, for ever', () => {
    const dayStart = Math.floor((NOW - 40 * DAY_MS) / DAY_MS) * DAY_MS;
    const morning = at(dayStart + 8 * HOUR_MS);
    const noon = at(dayStart + 12 * HOUR_MS);
    const evening = at(dayStart + 23 * HOUR_MS); // newest of the day
    const yearsAgo = at(NOW - 3 * 365 * DAY_MS);
    const thin = versionsToThin([morning, noon, evening, yearsAgo], NOW, RULES);
    expect(thin.sort()).toEqual([morning.id, noon.id].sort());
  });

  it('keeps labelled versions, whatever their age', () => {
    const dayStart = Math.floor((NOW - 100 * DAY_MS) / DAY_MS) * DAY_MS;
    const named = at(dayStart + HOUR_MS, 'Q1 draft');
    const plain = at(dayStart + 2 * HOUR_MS);
    const newest = at(dayStart + 3 * HOUR_MS);
    expect(versionsToThin([named, plain, newest], NOW, RULES)).toEqual([plain.id]);
  });

  it('is idempotent, and thins further only as versions age into the next band', () => {
    // One version every 10 minutes for 3 days.
    const all: VersionInfo[] = [];
    for (let t = NOW - 3 * DAY_MS; t < NOW; t += 10 * 60_000) all.push(at(t));
    const first = new Set(versionsToThin(all, NOW, RULES));
    const kept = all.filter((v) => !first.has(v.id));
    expect(versionsToThin(kept, NOW, RULES)).toEqual([]);
    // 24 h of everything (144) + one per hour for the 48 h before.
    expect(kept.length).toBe(144 + 48);
    // 40 days later everything is past 30 days: one per day (the 3 days touched are 3 or 4
    // calendar days; NOW is noon, so the span covers 4 UTC days).
    const later = NOW + 40 * DAY_MS;
    const thinnedLater = new Set(versionsToThin(kept, later, RULES));
    const days = new Set(kept.map((v) => Math.floor(v.createdAt / DAY_MS)));
    expect(kept.length - thinnedLater.size).toBe(days.size);
    // The newest version always survives.
    const newest = kept.at(-1)!;
    expect(thinnedLater.has(newest.id)).toBe(false);
  });
});

/** `count` versions of `doc`, one every `stepMs`, ending at `end`. */
async function seed(v: VersionStore, doc: string, count: number, stepMs: number, end: number) {
  for (let i = count - 1; i >= 0; i--) {
    await v.add(version(doc, { createdAt: end - i * stepMs }));
  }
}

describe('RetentionRunner', () => {
  it('thins every document on the injected clock and counts what it deleted', async () => {
    const storage = new MemoryStorage();
    const metrics = new Metrics();
    let clock = NOW;
    const runner = new RetentionRunner({
      versions: storage.versions,
      rules: RULES,
      intervalMs: HOUR_MS,
      log: silentLogger,
      metrics,
      now: () => clock,
    });
    // 150 documents (more than one page of the walk), each with 4 versions in one hour 2 days
    // ago: 3 of each go.
    const hourStart = Math.floor((NOW - 2 * DAY_MS) / HOUR_MS) * HOUR_MS;
    for (let d = 0; d < 150; d++) {
      await seed(storage.versions, `doc-${d}`, 4, 60_000, hourStart + 10 * 60_000);
    }
    expect(await runner.runOnce()).toBe(450);
    expect(metrics.versionsThinned).toBe(450);
    expect(await storage.versions.list('doc-149')).toHaveLength(1);
    expect(await runner.runOnce()).toBe(0);
    clock += 365 * DAY_MS;
    expect(await runner.runOnce()).toBe(0); // one per hour left, the same hour: one per day too
    await runner.stop();
  });

  it('removes the versions of documents gone from the store', async () => {
    const dir = tempDir();
    const storage = new SqliteStorage({ dataDir: dir.path });
    try {
      await storage.append('kept', Uint8Array.from([0, 0]));
      await seed(storage.versions, 'kept', 2, 60_000, NOW);
      await seed(storage.versions, 'purged', 3, 60_000, NOW);
      const runner = new RetentionRunner({
        versions: storage.versions,
        rules: RULES,
        intervalMs: HOUR_MS,
        log: silentLogger,
        metrics: new Metrics(),
        now: () => NOW,
        documentExists: async (name) =>
          (await storage.list({ prefix: name, limit: 1 }))[0]?.name === name,
      });
      expect(await runner.runOnce()).toBe(3);
      expect(await storage.versions.documents({ limit: 10 })).toEqual(['kept']);
      expect(await storage.versions.list('kept')).toHaveLength(2);
    } finally {
      await storage.close();
      dir.remove();
    }
  });

  it('a pass already running is joined, not doubled; a failing document does not stop the rest', async () => {
    const storage = new MemoryStorage();
    const hourStart = Math.floor((NOW - 2 * DAY_MS) / HOUR_MS) * HOUR_MS;
    await seed(storage.versions, 'a', 2, 60_000, hourStart + 10 * 60_000);
    await seed(storage.versions, 'b', 2, 60_000, hourStart + 10 * 60_000);
    const versions: VersionStore = {
      add: (v) => storage.versions.add(v),
      list: (doc, o) =>
        doc === 'a' ? Promise.reject(new Error('damaged')) : storage.versions.list(doc, o),
      get: (doc, id) => storage.versions.get(doc, id),
      latest: (doc) => storage.versions.latest(doc),
      remove: (doc, ids) => storage.versions.remove(doc, ids),
      documents: (o) => storage.versions.documents(o),
    };
    const runner = new RetentionRunner({
      versions,
      rules: RULES,
      intervalMs: HOUR_MS,
      log: silentLogger,
      metrics: new Metrics(),
      now: () => NOW,
    });
    const [one, two] = await Promise.all([runner.runOnce(), runner.runOnce()]);
    expect(one).toBe(1);
    expect(two).toBe(1);
    expect(await storage.versions.list('a')).toHaveLength(2);
    expect(await storage.versions.list('b')).toHaveLength(1);
  });
});
