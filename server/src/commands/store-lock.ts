/**
 * Is a Quire server running on a data directory? Told by SQLite's own file locks, not by a pid
 * file that a crash would leave behind: every connection to a WAL-mode database holds a shared
 * lock on the database file for as long as it is open (SQLite keeps it so that no one can switch
 * the file out of WAL mode under it). A running server keeps its connection open from start to
 * shutdown, so asking for an exclusive lock (`locking_mode = EXCLUSIVE`, then a transaction)
 * fails with SQLITE_BUSY exactly while some process has the store open. A server that crashed
 * holds nothing: the kernel drops a dead process's locks.
 *
 * The probe never waits (timeout 0) and changes nothing: when it wins, closing it checkpoints
 * the write-ahead log into the database file, which is what any last connection does on close.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME } from '../storage/sqlite.js';
import { errorMessage } from '../log.js';

export type StoreState = 'absent' | 'free' | 'in-use';

export function sqlitePath(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

/** Whether the store in `dataDir` exists and whether another process has it open. */
export function probeStore(dataDir: string): StoreState {
  const path = sqlitePath(dataDir);
  if (!existsSync(path)) return 'absent';
  const db = new Database(path, { timeout: 0, fileMustExist: true });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return 'free';
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return 'in-use';
    throw new Error(`cannot open ${path}: ${errorMessage(error)}`);
  } finally {
    db.close();
  }
}

/** The sentence every refusal uses, so the person knows what to do next. */
export function inUseMessage(dataDir: string, alternative: string): string {
  return (
    `${sqlitePath(dataDir)} is open in another process (a running Quire server?). ` + alternative
  );
}
