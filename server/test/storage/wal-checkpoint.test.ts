/**
 * WAL checkpoints run on a worker thread, not inside main-thread commits: the main connection's
 * auto checkpoint is off while the worker runs, the WAL stays bounded (by the worker, or by the
 * main-thread safety valve when the worker is stuck), a dead worker hands checkpointing back to
 * SQLite on the main connection, and nothing written is ever lost on the way.
 */
import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStorage, type Logger } from '../../src/index.js';
import type { LogFields } from '../../src/log.js';
import {
  CHECKPOINT_TRIGGER_PAGES,
  FALLBACK_AUTOCHECKPOINT_PAGES,
  WAL_HARD_LIMIT_BYTES,
  WAL_SIZE_LIMIT_BYTES,
} from '../../src/storage/wal-checkpointer.js';
import { waitFor } from '../helpers/clients.js';
import { testScope } from '../helpers/scope.js';

interface Logged {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

function recordingLogger(): Logger & { entries: Logged[] } {
  const entries: Logged[] = [];
  const at = (level: Logged['level']) => (message: string, fields?: LogFields) => {
    entries.push({ level, message, fields });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const mainDb = (storage: SqliteStorage) => (storage as unknown as { db: Database.Database }).db;
const autocheckpoint = (storage: SqliteStorage) =>
  Number(mainDb(storage).pragma('wal_autocheckpoint', { simple: true }));
const walSize = (storage: SqliteStorage) =>
  statSync(`${storage.path}-wal`, { throwIfNoEntry: false })?.size ?? 0;

/** A distinct, checkable update: document i % docs, bytes derived from i. */
const DOCS = 8;
const update = (i: number) => new TextEncoder().encode(`update ${i} `.padEnd(120, '.'));

async function expectAllReadable(storage: SqliteStorage, count: number): Promise<void> {
  for (let d = 0; d < DOCS; d++) {
    const stored = await storage.load(`doc-${d}`);
    const expected: Uint8Array[] = [];
    for (let i = d; i < count; i += DOCS) expected.push(update(i));
    expect(stored?.updates).toEqual(expected);
  }
}

describe('WAL checkpoints off the main thread', () => {
  const scope = testScope();

  it('turns off the main connection’s auto checkpoint while the worker runs', async () => {
    const storage = new SqliteStorage({ dataDir: scope.dataDir(), logger: recordingLogger() });
    try {
      expect(autocheckpoint(storage)).toBe(0);
      expect(storage.checkpointStats().mode).toBe('worker');
      await storage.append('doc-0', update(0));
      expect(await storage.checkpointer.checkpointNow()).toMatchObject({ busy: 0 });
      expect(autocheckpoint(storage)).toBe(0);
    } finally {
      await storage.close();
    }
  });

  it('checkpoints on the worker once enough is written, keeps the WAL bounded, and loses nothing across a reopen', async () => {
    const dataDir = scope.dataDir();
    const log = recordingLogger();
    const storage = new SqliteStorage({ dataDir, logger: log });
    // Several times the trigger (each append writes about three WAL pages), yielding to the
    // event loop now and then like a server does, so the worker's answers come through.
    const count = 3 * CHECKPOINT_TRIGGER_PAGES;
    for (let i = 0; i < count; i++) {
      await storage.append(`doc-${i % DOCS}`, update(i));
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => storage.checkpointStats().checkpoints >= 1, 10_000, 'a worker checkpoint');
    expect(storage.checkpointStats()).toMatchObject({
      mode: 'worker',
      checkpointFailures: 0,
      mainThreadCheckpoints: 0,
    });
    expect(storage.checkpointStats().checkpointP99).toBeGreaterThan(0);

    // Once the worker has copied everything, the next commit reuses the WAL from its start and
    // trims it to the size limit: the WAL does not grow with what was ever written.
    const row = await storage.checkpointer.checkpointNow();
    expect(row).not.toBeNull();
    expect(row!.busy).toBe(0);
    expect(row!.checkpointed).toBe(row!.log);
    await storage.append('doc-0', update(count));
    expect(walSize(storage)).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);

    // The worker's connection closes first, so the main connection's close is the last one: it
    // checkpoints the rest and removes the WAL.
    await storage.close();
    expect(existsSync(`${storage.path}-wal`)).toBe(false);
    expect(log.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
    expect(log.entries.some((e) => e.message === 'checkpoint stats')).toBe(true);

    const again = new SqliteStorage({ dataDir, logger: recordingLogger() });
    try {
      await expectAllReadable(again, count + 1);
    } finally {
      await again.close();
    }
  });

  it('checkpoints on the main thread when a stuck worker lets the WAL outgrow its hard limit', async () => {
    const dataDir = scope.dataDir();
    const log = recordingLogger();
    const storage = new SqliteStorage({ dataDir, logger: log });
    storage.checkpointer.simulateStuckWorker();
    // Well past the hard limit: about 4 pages of WAL per append.
    const count = Math.ceil((1.5 * WAL_HARD_LIMIT_BYTES) / (3 * 4096));
    let largest = 0;
    for (let i = 0; i < count; i++) {
      await storage.append(`doc-${i % DOCS}`, update(i));
      largest = Math.max(largest, walSize(storage));
    }
    const stats = storage.checkpointStats();
    expect(stats.mainThreadCheckpoints).toBeGreaterThanOrEqual(1);
    expect(stats.checkpoints).toBe(0);
    // Bounded: at most the hard limit plus what is written between two checks (one trigger's
    // worth of pages, give or take the per-commit estimate).
    expect(largest).toBeLessThanOrEqual(WAL_HARD_LIMIT_BYTES + 3 * CHECKPOINT_TRIGGER_PAGES * 4096);
    const warning = log.entries.find((e) => e.level === 'warn');
    expect(warning?.message).toMatch(/hard limit/);
    expect(warning?.fields).toMatchObject({ db: storage.path, workerAnswering: false, busy: 0 });

    await storage.close();
    const again = new SqliteStorage({ dataDir, logger: recordingLogger() });
    try {
      await expectAllReadable(again, count);
    } finally {
      await again.close();
    }
  });

  it('falls back to SQLite’s auto checkpoint on the main connection when the worker dies, without losing data', async () => {
    const dataDir = scope.dataDir();
    const log = recordingLogger();
    const storage = new SqliteStorage({ dataDir, logger: log });
    const before = 200;
    for (let i = 0; i < before; i++) await storage.append(`doc-${i % DOCS}`, update(i));

    await storage.checkpointer.killWorker();
    await waitFor(() => storage.checkpointStats().mode === 'main-thread', 5_000, 'fallback');
    expect(autocheckpoint(storage)).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const warning = log.entries.find((e) => e.level === 'warn');
    expect(warning?.message).toMatch(/checkpoint worker exited/);
    expect(warning?.fields).toMatchObject({ db: storage.path });
    expect(await storage.checkpointer.checkpointNow()).toBeNull();

    // Writes go on, and SQLite's own checkpoints keep the WAL small.
    const count = before + 3 * CHECKPOINT_TRIGGER_PAGES;
    for (let i = before; i < count; i++) await storage.append(`doc-${i % DOCS}`, update(i));
    expect(walSize(storage)).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
    await expectAllReadable(storage, count);

    await storage.close();
    expect(existsSync(`${storage.path}-wal`)).toBe(false);
    const again = new SqliteStorage({ dataDir, logger: recordingLogger() });
    try {
      expect(autocheckpoint(again)).toBe(0);
      await expectAllReadable(again, count);
    } finally {
      await again.close();
    }
  });
});
