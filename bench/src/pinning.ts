/**
 * CPU pinning: the server under test on one core, the load generator on another, so the two never
 * compete for a core and server CPU time is not inflated by the generator. Uses taskset
 * (util-linux); without it, or on a single core, the benchmark runs unpinned and says so.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Core for the server under test and for the load generator (the machine has 2). */
export const SERVER_CORE = 1;
export const LOAD_CORE = 0;

export interface Pinning {
  readonly enabled: boolean;
  readonly note: string;
  serverCommand(node: string, args: string[]): [string, string[]];
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (every thread) to the load core and returns how to start pinned servers. */
export function setUpPinning(): Pinning {
  const cores = availableParallelism();
  if (cores < 2) {
    return unpinned(`only ${cores} core available: server and load generator share it`);
  }
  if (!hasTaskset()) {
    return unpinned(
      'taskset not found (install util-linux, e.g. `apt-get install util-linux`): running unpinned',
    );
  }
  execFileSync('taskset', ['-a', '-cp', String(LOAD_CORE), String(process.pid)], {
    stdio: 'ignore',
  });
  return {
    enabled: true,
    note: `server pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE} (taskset)`,
    serverCommand: (node, args) => ['taskset', ['-c', String(SERVER_CORE), node, ...args]],
  };
}

function unpinned(note: string): Pinning {
  return { enabled: false, note, serverCommand: (node, args) => [node, args] };
}
