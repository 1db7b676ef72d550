/**
 * How the `quire-server` process sizes V8's young generation.
 *
 * V8 starts the young generation (where every short-lived object is born) at 1 MiB semispaces and
 * doubles them, up to 16 MiB each, whenever a scavenge finds much of it still alive. A relay's
 * allocation is bursty: a wave of reconnecting tabs or a big paste grows the young generation,
 * and V8 rarely shrinks it again, so the process keeps tens of MiB resident that idle sockets do
 * not need. Too small a young generation costs CPU instead: every scavenge has a fixed cost, and
 * at 1 MiB the typing benchmark spent 26 % of the server's busy time in the garbage collector
 * (6–8 % at 8–16 MiB). Profiles, measured with the benchmark (BENCHMARKS.md):
 * - `lean` (default) lets the semispaces grow to 4 MiB and no further. After 2,000 sockets
 *   connect, ≈ 14 KiB of RSS per idle connection instead of ≈ 23 KiB with V8's sizing (9 instead
 *   of 11 at 10,000). The price is CPU under heavy traffic: 8–10 % of busy time in GC in the
 *   quick typing run (V8's sizing: 8 %), ≈ 12 % more CPU per delivery and +0.25 ms p50 at 27,000
 *   deliveries a second. A relay mostly holds idle tabs, so memory is the default's priority.
 * - `small` keeps them at 1 MiB and adds V8's `--optimize-for-size` (smaller heap growth steps,
 *   more compaction): ≈ 11 KiB per idle connection at 2,000 sockets, and the most CPU of the
 *   three (a 1 MiB cap alone spent 26 % of busy time in GC; the flag added ≈ 12 % CPU per delivery
 *   and a higher typing p99 on top). For memory-bound hosts with many mostly idle tabs.
 * - `v8` leaves V8's own sizing alone.
 *
 * These are V8 flags, so they apply to the whole process: the CLI sets them; the library API
 * leaves the embedding application's heap alone unless it calls `applyHeapProfile` itself. They
 * must be applied before the process allocates much: V8 never shrinks semispaces that already grew
 * (loading the server's modules alone grows them to 4 MiB), which is why this module imports
 * only Node built-ins, is its own entry point (`@quire/server/heap-profile`), and why the
 * `quire-server` launcher applies it before it loads the rest of the server.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export type HeapProfile = 'lean' | 'small' | 'v8';

export const HEAP_PROFILES: readonly HeapProfile[] = ['lean', 'small', 'v8'];

/** What `quire-server serve` uses unless told otherwise (`--heap-profile` / QUIRE_HEAP_PROFILE). */
export const DEFAULT_HEAP_PROFILE: HeapProfile = 'lean';

/** Largest semispace the `lean` profile lets V8 grow to: 4 MiB. */
export const LEAN_MAX_SEMI_SPACE_BYTES = 4 * 1024 * 1024;

/** A semispace growth factor of 1 means the young generation never grows again. V8 reads the flag
 * each time it considers growing, so setting it at runtime takes effect. (`--max-semi-space-size`
 * would be simpler but is only read when the process starts.) */
const FREEZE_YOUNG_GENERATION = '--semi-space-growth-factor=1';
/** Consulted by V8 at each heap-sizing decision, so it too takes effect at runtime. */
const OPTIMIZE_FOR_SIZE = '--optimize-for-size';

/** Applies `profile` to this process; `v8` leaves V8's own sizing untouched. */
export function applyHeapProfile(profile: HeapProfile): void {
  if (profile === 'small') {
    setFlagsFromString(FREEZE_YOUNG_GENERATION);
    setFlagsFromString(OPTIMIZE_FOR_SIZE);
  } else if (profile === 'lean') {
    freezeYoungGenerationAt(LEAN_MAX_SEMI_SPACE_BYTES);
  }
}

/** The young generation's size: both semispaces (V8 reports them together as `new_space`). */
function youngGenerationBytes(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space?.space_size ?? 0;
}

/** Lets V8 grow the semispaces as usual until they reach `maxSemiSpaceBytes`, then freezes them.
 * Growth only happens inside a scavenge, so the size is checked after each garbage collection
 * (a GC observer costs one entry object per collection, a few per second under load). */
function freezeYoungGenerationAt(maxSemiSpaceBytes: number): void {
  const limit = 2 * maxSemiSpaceBytes;
  if (youngGenerationBytes() >= limit) {
    setFlagsFromString(FREEZE_YOUNG_GENERATION);
    return;
  }
  const observer = new PerformanceObserver(() => {
    if (youngGenerationBytes() < limit) return;
    setFlagsFromString(FREEZE_YOUNG_GENERATION);
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** The profile asked for on a `quire-server` command line: `--heap-profile P` or
 * `--heap-profile=P`, else QUIRE_HEAP_PROFILE, else the default. Unvalidated: the CLI's argument
 * parser reports a bad value with the other usage errors. */
export function requestedHeapProfile(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--heap-profile') return argv[i + 1] ?? '';
    if (arg.startsWith('--heap-profile=')) return arg.slice('--heap-profile='.length);
  }
  return env.QUIRE_HEAP_PROFILE ?? DEFAULT_HEAP_PROFILE;
}

export function isHeapProfile(value: string): value is HeapProfile {
  return (HEAP_PROFILES as readonly string[]).includes(value);
}
