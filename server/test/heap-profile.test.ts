/** The heap profile: how `quire-server` sizes V8's young generation (src/heap-profile.ts). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../src/cli.js';
import { LEAN_MAX_SEMI_SPACE_BYTES, requestedHeapProfile } from '../src/heap-profile.js';

const BURST = fileURLToPath(new URL('./fixtures/young-generation.mjs', import.meta.url));

/** Runs the allocation burst in a fresh process under `profile`; the young generation's peak. */
function largestYoungGeneration(profile: string): number {
  const result = spawnSync(process.execPath, [BURST, profile], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { largestNewSpaceBytes: number }).largestNewSpaceBytes;
}

describe('heap profile', () => {
  it('lean caps the young generation at 4 MiB semispaces and small at 1 MiB through an allocation burst; v8 lets it grow', () => {
    const lean = largestYoungGeneration('lean');
    const small = largestYoungGeneration('small');
    const grown = largestYoungGeneration('v8');
    // V8 reports both semispaces together.
    expect(lean).toBeLessThanOrEqual(2 * LEAN_MAX_SEMI_SPACE_BYTES);
    expect(small).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(grown).toBeGreaterThanOrEqual(2 * lean);
  });

  it('is read from --heap-profile, --heap-profile=, QUIRE_HEAP_PROFILE, else lean', () => {
    expect(requestedHeapProfile([], {})).toBe('lean');
    expect(requestedHeapProfile([], { QUIRE_HEAP_PROFILE: 'v8' })).toBe('v8');
    const env = { QUIRE_HEAP_PROFILE: 'lean' };
    expect(requestedHeapProfile(['--port', '1', '--heap-profile', 'v8'], env)).toBe('v8');
    expect(requestedHeapProfile(['--heap-profile=v8'], env)).toBe('v8');
    expect(parseServeArgs([], { QUIRE_HEAP_PROFILE: 'v8' })).toMatchObject({
      heapProfile: 'v8',
    });
    expect(parseServeArgs(['--heap-profile', 'lean'], { QUIRE_HEAP_PROFILE: 'v8' })).toMatchObject({
      heapProfile: 'lean',
    });
  });
});
