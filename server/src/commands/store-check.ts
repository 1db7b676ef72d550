/**
 * Is a file a sound Quire store? SQLite's own check (integrity_check walks every page and index;
 * quick_check skips the index-content comparison, for the check right after a backup) and the
 * columns Quire's tables have had since the first schema (storage/sqlite-schema.ts). Anything
 * newer is added by the schema migration when the server opens the store.
 */
import Database from 'better-sqlite3';
import { errorMessage } from '../log.js';
import { CommandFailure } from './command-line.js';

/** The first schema's tables and columns: every Quire store has at least these. */
const REQUIRED_COLUMNS: Record<string, string[]> = {
  documents: ['name', 'updated_at'],
  updates: ['seq', 'doc', 'data', 'created_at'],
};

/** Throws a CommandFailure saying what is wrong with `path` (called `shownAs` in the message:
 * the file the person named, not the copy being checked); returns its number of documents. */
export function checkStoreFile(path: string, depth: 'quick' | 'full', shownAs = path): number {
  let db: Database.Database | null = null;
  try {
    db = new Database(path, { fileMustExist: true });
    const pragma = depth === 'full' ? 'integrity_check' : 'quick_check';
    const problems = db.prepare<[], { [key: string]: string }>(`PRAGMA ${pragma}`).all();
    const first = Object.values(problems[0] ?? {})[0];
    if (problems.length !== 1 || first !== 'ok') {
      const shown = problems.slice(0, 3).map((row) => Object.values(row)[0]);
      throw new CommandFailure(`${shownAs} fails SQLite's ${pragma}: ${shown.join('; ')}`);
    }
    for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
      const present = new Set(
        db
          .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
          .all(table)
          .map((c) => c.name),
      );
      const missing = columns.filter((c) => !present.has(c));
      if (missing.length > 0) {
        throw new CommandFailure(
          `${shownAs} is an SQLite database but not a Quire store (table "${table}" lacks ${missing.join(', ')})`,
        );
      }
    }
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM documents').get()!.n;
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    throw new CommandFailure(`${shownAs} is not a readable Quire store: ${errorMessage(error)}`);
  } finally {
    db?.close();
  }
}
