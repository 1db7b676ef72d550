/**
 * `quire-server backup --to FILE [--data DIR]`: a consistent copy of the SQLite store, taken
 * while the server runs, with SQLite's online backup API (better-sqlite3 `db.backup`).
 *
 * Consistency: the copy is the store as of one instant. The backup reads the source in steps;
 * when another connection (the server) commits between two steps, SQLite starts the copy over,
 * so after the first step the rest is copied in one step, inside one read transaction of the
 * write-ahead log: a snapshot that holds every commit made before it began, and none of a
 * transaction that came later. WAL readers never block writers, so the server goes on storing
 * and acknowledging keystrokes meanwhile; it only cannot checkpoint past the backup's snapshot,
 * so its -wal file may grow for the length of the copy. Every update a client saw acknowledged
 * ("Saved") before the backup began was committed and fsynced before that ack, so it is in the
 * copy.
 *
 * The copy is written aside, turned into a single self-contained file (rollback journal mode,
 * no -wal beside it), quick-checked, fsynced, and only then renamed to FILE.
 *
 * PostgreSQL stores are backed up with pg_dump; this command prints the exact line.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CommandFailure, CommandUsageError, defineCommand, resolveTarget } from './command-line.js';
import { commitFile, temporaryPath } from './atomic-file.js';
import { checkStoreFile } from './store-check.js';
import { sqlitePath } from './store-lock.js';
import { DEFAULT_DATA_DIR } from '../config.js';

export const BACKUP_USAGE = `Usage: quire-server backup --to <file> [--data <dir>]

Copies the SQLite store to <file>, consistently, while the server runs (writers are not
blocked). The file is a complete store: put it back with \`quire-server restore-backup\`.

Options (environment variable in brackets):
  --to <file>          where to write the copy (replaced whole, never half-written)  required
  --data <dir>         the server's data directory [QUIRE_DATA]       default ${DEFAULT_DATA_DIR}
  --database-url <u>   PostgreSQL [QUIRE_DATABASE_URL]: prints the pg_dump command to use
  -h, --help           show this help
`;

export const runBackupCommand = defineCommand(
  'backup',
  {
    data: { type: 'string' },
    'database-url': { type: 'string' },
    server: { type: 'string' },
    to: { type: 'string' },
  },
  BACKUP_USAGE,
  async (v, env, io) => {
    const problems: string[] = [];
    if (v.server !== undefined) {
      problems.push(
        'backup copies the store file itself: run it on the server machine with --data <dir> ' +
          '(for a copy over the API, use `quire-server export --all --format yjs --server URL`)',
      );
    }
    const target = resolveTarget(
      { data: v.data, 'database-url': v['database-url'] },
      env,
      problems,
    );
    if (target.kind === 'postgres') throw new CommandUsageError(pgDumpAdvice(target.databaseUrl));
    if (v.to === undefined) problems.push('--to <file> is required: where to write the backup');
    else if (!existsSync(dirname(v.to))) {
      problems.push(`--to ${v.to}: the directory ${dirname(v.to)} does not exist`);
    }
    if (problems.length > 0 || target.kind !== 'data') {
      throw new CommandUsageError(problems.join('\n'));
    }
    const documents = await backupSqlite(target.dataDir, v.to!);
    io.stdout.write(
      `backed up ${sqlitePath(target.dataDir)} to ${v.to} (${documents} document(s), ${statSync(v.to!).size} bytes)\n`,
    );
  },
);

/** Copies the store in `dataDir` to `to`; returns the number of documents in the copy. */
export async function backupSqlite(dataDir: string, to: string): Promise<number> {
  const source = sqlitePath(dataDir);
  if (!existsSync(source)) {
    throw new CommandFailure(`no Quire store at ${source}: check --data`);
  }
  const prepared = temporaryPath(to);
  try {
    const db = new Database(source, { fileMustExist: true });
    try {
      // After the first step (100 pages), everything left in one step: a copy restarted by the
      // server's commits then finishes in one read transaction instead of restarting forever.
      await db.backup(prepared, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    } finally {
      db.close();
    }
    const copy = new Database(prepared);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const documents = checkStoreFile(prepared, 'quick', `the copy of ${source}`);
    commitFile(prepared, to);
    return documents;
  } finally {
    rmSync(prepared, { force: true });
    rmSync(`${prepared}-wal`, { force: true });
    rmSync(`${prepared}-shm`, { force: true });
  }
}

/** The pg_dump line for the Quire tables (password left out: PGPASSWORD or ~/.pgpass). */
export function pgDumpAdvice(databaseUrl: string): string {
  return (
    'PostgreSQL stores are backed up with pg_dump, not by Quire. For the Quire tables, run:\n' +
    `  pg_dump --format=custom --table='public.quire_*' --file=quire.pgdump '${withoutPassword(databaseUrl)}'\n` +
    'It reads one consistent snapshot while the instances keep writing. Restore with the ' +
    "instances stopped: pg_restore --clean --if-exists --dbname='<url>' quire.pgdump"
  );
}

function withoutPassword(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    return url.toString();
  } catch {
    return '<database url>';
  }
}
