/**
 * The operations subcommands of `quire-server` (backup, restore-backup, export, import): the
 * table cli.ts dispatches on, and their lines in `quire-server --help`.
 */
import { runBackupCommand } from './backup-command.js';
import { runExportCommand } from './export-command.js';
import { runImportCommand } from './import-command.js';
import { runRestoreCommand } from './restore-command.js';
import type { CommandRunner } from './command-line.js';

export const OPERATIONS_COMMANDS: ReadonlyMap<string, CommandRunner> = new Map([
  ['backup', runBackupCommand],
  ['restore-backup', runRestoreCommand],
  ['export', runExportCommand],
  ['import', runImportCommand],
]);

/** For the top of `quire-server --help`, beside the token line. */
export const OPERATIONS_SUMMARY = `       quire-server backup --to FILE [--data DIR]             copy the store, server running
       quire-server restore-backup --from FILE [--data DIR]   put a backup back, server stopped
       quire-server export --doc NAME [--to FILE] | --all --to DIR [--format text|yjs]
       quire-server import --doc NAME --file F [--format text|yjs]           create it once
         (export, import: --server URL [--token T] for a running server, or --data DIR;
         see quire-server <command> --help)`;
