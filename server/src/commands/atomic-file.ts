/**
 * Files the commands write are written whole or not at all: to a temporary name beside the
 * target, fsynced, then renamed over it (a rename within a directory is atomic), and the
 * directory fsynced so the new name survives a power loss too. A cron job killed midway leaves
 * the previous backup or export in place, never half a file under its name.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The temporary name a file is prepared under before it takes `path`'s place. */
export function temporaryPath(path: string): string {
  return `${path}.partial-${process.pid}`;
}

export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Moves a prepared file into place, durably. */
export function commitFile(prepared: string, path: string): void {
  fsyncPath(prepared);
  renameSync(prepared, path);
  fsyncPath(dirname(path));
}

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const prepared = temporaryPath(path);
  try {
    writeFileSync(prepared, data);
    commitFile(prepared, path);
  } catch (error) {
    rmSync(prepared, { force: true });
    throw error;
  }
}
