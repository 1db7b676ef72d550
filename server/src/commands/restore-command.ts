/**
 * `quire-server restore-backup --from FILE [--data DIR]`: puts a backup in place of the store,
 * while no server runs on DIR.
 *
 * 1. Refuses when another process has DIR's store open (store-lock.ts): a running server would
 *    keep writing to the file it has open, and its next writes would land in the replaced one.
 * 2. Copies FILE into a staging directory inside DIR and checks the copy: SQLite's
 *    integrity_check, Quire's tables, and every document loaded the way the server loads it.
 *    Any problem: the staging copy is removed and nothing else has changed.
 * 3. Moves the current store (quire.sqlite with its -wal and -shm, under their own names) into
 *    DIR/before-restore-<time>/, a data directory of its own that a server can be started on,
 *    and renames the checked copy into place. Nothing is deleted.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CommandFailure,
  CommandUsageError,
  defineCommand,
  resolveTarget,
  processIo,
  type CommandIo,
} from './command-line.js';
import { fsyncPath } from './atomic-file.js';
import { openDataDir } from './data-dir-access.js';
import { checkStoreFile } from './store-check.js';
import { inUseMessage, probeStore, sqlitePath } from './store-lock.js';
import { DEFAULT_DATA_DIR } from '../config.js';
import { SQLITE_FILE_NAME } from '../storage/sqlite.js';

export const RESTORE_USAGE = `Usage: quire-server restore-backup --from <file> [--data <dir>]

Replaces the store in <dir> with a backup, with the server stopped. The backup is checked
first; the store it replaces is moved to <dir>/before-restore-<time>/, not deleted.

Options (environment variable in brackets):
  --from <file>        a file written by \`quire-server backup\`              required
  --data <dir>         the server's data directory [QUIRE_DATA]       default ${DEFAULT_DATA_DIR}
  -h, --help           show this help
`;

export const runRestoreCommand = defineCommand(
  'restore-backup',
  {
    from: { type: 'string' },
    data: { type: 'string' },
    'database-url': { type: 'string' },
  },
  RESTORE_USAGE,
  async (v, env, io) => {
    const problems: string[] = [];
    const target = resolveTarget(
      { data: v.data, 'database-url': v['database-url'] },
      env,
      problems,
    );
    if (target.kind === 'postgres') {
      problems.push(
        'a PostgreSQL store is restored with pg_restore, with the instances stopped: ' +
          "pg_restore --clean --if-exists --dbname='<url>' quire.pgdump",
      );
    }
    if (v.from === undefined) problems.push('--from <file> is required: the backup to restore');
    else if (!existsSync(v.from)) problems.push(`--from ${v.from}: no such file`);
    else if (existsSync(`${v.from}-wal`) && statSync(`${v.from}-wal`).size > 0) {
      // Copying the file alone would leave out what its write-ahead log holds.
      problems.push(
        `--from ${v.from} has a write-ahead log beside it (${v.from}-wal): it is a live store, ` +
          'not a backup; make one with `quire-server backup --data <its dir> --to <file>`',
      );
    }
    if (problems.length > 0 || target.kind !== 'data') {
      throw new CommandUsageError(problems.join('\n'));
    }
    const { documents, aside } = await restoreBackup(v.from!, target.dataDir, io);
    io.stdout.write(
      `restored ${v.from} into ${sqlitePath(target.dataDir)} (${documents} document(s)); ` +
        (aside ? `the previous store is in ${aside}\n` : 'there was no previous store\n'),
    );
  },
);

const SIDE_FILES = ['', '-wal', '-shm'];

export async function restoreBackup(
  from: string,
  dataDir: string,
  io: CommandIo = processIo,
): Promise<{ documents: number; aside: string | null }> {
  refuseIfInUse(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const staging = join(dataDir, `restore-staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    copyFileSync(from, join(staging, SQLITE_FILE_NAME));
    const documents = checkStoreFile(join(staging, SQLITE_FILE_NAME), 'full', from);
    await loadEveryDocument(staging, from, io);
    fsyncPath(join(staging, SQLITE_FILE_NAME));

    // Again, right before the switch: a server started while the copy was checked.
    refuseIfInUse(dataDir);
    let aside: string | null = null;
    if (existsSync(sqlitePath(dataDir))) {
      aside = join(dataDir, `before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(aside);
      for (const suffix of SIDE_FILES) {
        const file = sqlitePath(dataDir) + suffix;
        if (existsSync(file)) renameSync(file, join(aside, SQLITE_FILE_NAME + suffix));
      }
    }
    renameSync(join(staging, SQLITE_FILE_NAME), sqlitePath(dataDir));
    fsyncPath(dataDir);
    return { documents, aside };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function refuseIfInUse(dataDir: string): void {
  if (probeStore(dataDir) === 'in-use') {
    throw new CommandFailure(inUseMessage(dataDir, 'Stop the server first; nothing was changed.'));
  }
}

/** Loads every document of the staged copy as the server would: a backup that cannot be served
 * is refused before it replaces anything. */
async function loadEveryDocument(staging: string, from: string, io: CommandIo): Promise<void> {
  const access = await openDataDir(staging, 'read', io);
  let current = '';
  try {
    for await (const name of access.names()) {
      current = name;
      await access.read(name, 'yjs');
    }
  } catch (error) {
    throw new CommandFailure(
      `${from}: document "${current}" does not load (${(error as Error).message}); nothing was changed`,
    );
  } finally {
    await access.close();
  }
}
