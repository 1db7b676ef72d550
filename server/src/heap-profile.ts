/**
 * How the `quire-server` process sizes V8's young generation.
 *
 * V8 starts the young generation (where every short-lived object is born) at 1 MiB semispaces and
 * doubles them, up to 16 MiB each, whenever a scavenge finds much of it still alive. A relay's
 * allocation is bursty: a wave of reconnecting tabs or a big paste grows the young generation,
 * and V8 rarely shrinks it again, so the process keeps tens of MiB resident that idle sockets do
 * not need. Profiles, measured with the benchmark (BENCHMARKS.md):
 * - `lean` (default) keeps the young generation at its initial size. After 2,000 sockets connect,
 *   RSS per idle connection falls from ≈ 24 KiB to ≈ 15 KiB; CPU per delivery and typing latency
 *   did not get worse (scavenges become more frequent but each is shorter, as a relay's objects
 *   rarely outlive one message).
 * - `small` adds V8's `--optimize-for-size` (smaller heap growth steps, more compaction): ≈ 11 KiB
 *   per idle connection, but ≈ 12 % more CPU per delivery and a ≈ 40 % higher typing p99. For
 *   memory-bound hosts with many mostly idle tabs.
 * - `v8` leaves V8's own sizing alone.
 *
 * This is a V8 flag, so it applies to the whole process: the CLI sets it; the library API leaves
 * the embedding application's heap alone unless it calls `applyHeapProfile` itself. It must be
 * applied before the process allocates much: V8 never shrinks semispaces that already grew (loading
 * the server's modules alone grows them to 8 MiB), which is why this module imports nothing but
 * `node:v8`, is its own entry point (`@quire/server/heap-profile`), and why the `quire-server`
 * launcher applies it before it loads the rest of the server.
 */
import { setFlagsFromString } from 'node:v8';

export type HeapProfile = 'lean' | 'small' | 'v8';

export const HEAP_PROFILES: readonly HeapProfile[] = ['lean', 'small', 'v8'];

/** What `quire-server serve` uses unless told otherwise (`--heap-profile` / QUIRE_HEAP_PROFILE). */
export const DEFAULT_HEAP_PROFILE: HeapProfile = 'lean';

/** The V8 flags behind each profile. A semispace growth factor of 1 means the young generation
 * never grows; V8 reads it each time it considers growing, so setting it at runtime takes effect,
 * as does `--optimize-for-size`, which V8 consults at each heap-sizing decision. */
const PROFILE_FLAGS: Record<HeapProfile, readonly string[]> = {
  lean: ['--semi-space-growth-factor=1'],
  small: ['--semi-space-growth-factor=1', '--optimize-for-size'],
  v8: [],
};

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

/** Applies `profile` to this process; `v8` leaves V8's own sizing untouched. */
export function applyHeapProfile(profile: HeapProfile): void {
  for (const flag of PROFILE_FLAGS[profile]) setFlagsFromString(flag);
}
