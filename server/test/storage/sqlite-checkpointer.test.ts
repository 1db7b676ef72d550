/**
 * Big writes' WAL checkpoints run on a worker thread (storage/sqlite-checkpointer.ts): a real
 * SQLite file, a real worker. Checked: small writes never start the worker and keep SQLite's
 * automatic checkpoint; a big write turns it off until the worker and then the main thread have
 * checkpointed, after which it is back on and the WAL is reused; the worker stops when idle; a
 * worker that dies hands back to the automatic checkpoint; nothing written is lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { LogFields, Logger } from '../../src/log.js';
import { BIG_WRITE_BYTES, SqliteCheckpointer } from '../../src/storage/sqlite-checkpointer.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/clients.js';

interface Line {
  level: string;
  message: string;
  fields?: LogFields;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('the WAL checkpointer', () => {
  const dir = tempDir('quire-checkpoint-');
  let db: Database.Database;
  let checkpointer: SqliteCheckpointer;
  const lines: Line[] = [];

  function open(idleStopMs?: number) {
    const path = join(dir.path, `db-${Math.random().toString(36).slice(2)}.sqlite`);
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    checkpointer = new SqliteCheckpointer(db, path, recordingLogger(lines), idleStopMs);
    const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
    const write = (bytes: number) =>
      checkpointer.write(bytes, () => db.transaction(() => insert.run(Buffer.alloc(bytes, 7)))());
    return { path, write };
  }
  const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true });

  afterEach(async () => {
    await checkpointer.close();
    if (db.open) db.close();
    lines.splice(0);
  });

  it('leaves small writes to SQLite: no worker, automatic checkpoint on', () => {
    const { write } = open();
    for (let i = 0; i < 300; i++) write(16 * 1024); // 4.7 MiB, past one automatic checkpoint
    expect(autocheckpoint()).toBe(1000);
    expect(checkpointer.stats()).toMatchObject({ workerRunning: false, workerCheckpoints: 0 });
  });

  it('checkpoints a big write on the worker, then turns the automatic checkpoint back on', async () => {
    const { write } = open();
    write(8 * 1024 * 1024);
    expect(autocheckpoint()).toBe(0); // not inside the commit
    expect(checkpointer.stats().workerRunning).toBe(true);
    await waitFor(() => autocheckpoint() === 1000, 10_000, 'deferred checkpoint finished');
    const stats = checkpointer.stats();
    expect(stats.workerCheckpoints).toBeGreaterThanOrEqual(1);
    expect(stats.finishingCheckpoints).toBe(1);
    // Fully checkpointed: the WAL has nothing the database file lacks.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(row!.checkpointed).toBe(row!.log);
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('keeps every write across big and small ones, through a reopen', async () => {
    const { path, write } = open();
    for (let i = 0; i < 20; i++) write(i % 4 === 0 ? BIG_WRITE_BYTES * 2 : 1024);
    await checkpointer.close();
    db.close();
    const reopened = new Database(path);
    const count = reopened.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes FROM blobs');
    expect(count.get()).toEqual({ n: 20, bytes: 5 * BIG_WRITE_BYTES * 2 + 15 * 1024 });
    reopened.close();
    db = reopened;
  });

  it('stops the worker after it has been idle', async () => {
    const { write } = open(50);
    write(BIG_WRITE_BYTES);
    await waitFor(() => autocheckpoint() === 1000, 10_000, 'deferred checkpoint finished');
    await waitFor(() => !checkpointer.stats().workerRunning, 5_000, 'worker stopped when idle');
    // A later big write starts it again.
    write(BIG_WRITE_BYTES);
    expect(checkpointer.stats().workerRunning).toBe(true);
    await waitFor(() => autocheckpoint() === 1000, 10_000, 'second deferred checkpoint');
  });

  it('hands back to the automatic checkpoint when the worker dies', async () => {
    const { write } = open();
    write(BIG_WRITE_BYTES);
    await waitFor(() => autocheckpoint() === 1000, 10_000, 'first deferred checkpoint');
    await checkpointer.killWorkerForTest();
    await waitFor(() => checkpointer.stats().mode === 'automatic', 5_000, 'fallback');
    expect(lines.some((l) => l.level === 'warn' && /worker exited/.test(l.message))).toBe(true);
    write(4 * BIG_WRITE_BYTES);
    expect(autocheckpoint()).toBe(1000); // big writes no longer defer
    expect(checkpointer.stats().workerRunning).toBe(false);
  });
});
