/**
 * Waiting until a server has finished the work it does after it answered: an asynchronous store
 * (y-leveldb writes each update after it was applied, one at a time; Hocuspocus stores after a
 * debounce) may still be writing long after the last client saw its update. A server stopped
 * then loses what it had not written yet (@y/websocket-server has no SIGTERM handler), so a
 * scenario that restarts a server waits for this first. Read from /proc like every other figure,
 * so it works the same for every server. CPU alone is the signal: the stores measured here keep
 * the CPU busy until they are done (y-leveldb works through its queue of writes one at a time on
 * the event loop; LevelDB and SQLite write into the page cache), while write system calls would never stop with idle
 * sockets open (@y/websocket-server pings each one every 30 s, at staggered moments).
 */
import type { ServerProcess } from '../servers.js';
import { sleep } from '../stats.js';

/** The window over which a server must stay quiet. */
const QUIET_WINDOW_MS = 1_000;
/** CPU a quiet server may still use over the window (timers, pings): 2 % of a core. */
const QUIET_CPU_SECONDS = 0.02;

/**
 * Resolves once the server used under QUIET_CPU_SECONDS of CPU over a QUIET_WINDOW_MS window,
 * or once `budgetMs` has passed. Returns whether it went quiet and how long that took.
 */
export async function waitUntilQuiet(
  server: ServerProcess,
  budgetMs: number,
): Promise<{ quiet: boolean; ms: number }> {
  const started = performance.now();
  for (;;) {
    const cpu = server.cpuSeconds();
    await sleep(QUIET_WINDOW_MS);
    const ms = performance.now() - started;
    if (server.cpuSeconds() - cpu < QUIET_CPU_SECONDS) return { quiet: true, ms };
    if (ms >= budgetMs) return { quiet: false, ms };
  }
}
