/**
 * The peer servers (Hocuspocus, @y/websocket-server) live in bench/peers with a lockfile of their
 * own, outside the npm workspaces, so `npm install` for Quire never downloads or compiles them
 * (Hocuspocus' sqlite3 and y-leveldb's leveldown are native builds). The benchmark installs them
 * here the first time a run needs one, exactly as that lockfile pins them (`npm ci`), and again
 * whenever the lockfile changes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../peers');
const LOCKFILE = join(PEERS_DIR, 'package-lock.json');
/** Written after a successful install: the lockfile it installed, to notice a changed one. */
const STAMP = join(PEERS_DIR, 'node_modules/.quire-installed-lock');

export function peersInstalled(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === readFileSync(LOCKFILE, 'utf8');
}

/** Installs the peers when missing or stale; `progress` gets one line saying so. */
export function ensurePeersInstalled(progress: (line: string) => void): void {
  if (peersInstalled()) return;
  progress('bench: installing the peer servers into bench/peers (first use; about a minute)…');
  const started = Date.now();
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: PEERS_DIR,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(
      `installing the peer servers failed: run \`npm ci\` in ${PEERS_DIR} to see why`,
    );
  }
  writeFileSync(STAMP, readFileSync(LOCKFILE, 'utf8'));
  progress(`bench: peer servers installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
