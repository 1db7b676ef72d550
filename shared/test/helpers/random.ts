/**
 * A small seeded PRNG (mulberry32), so property tests are reproducible: a failure report names
 * the seed and iteration, and rerunning gives the same inputs.
 */
export interface Random {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  bytes(length: number): Uint8Array;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = int(256);
      return out;
    },
    pick(items) {
      return items[int(items.length)] as (typeof items)[number];
    },
  };
}

/** A non-negative safe integer whose bit width is uniform in 0..53, so every varUint size occurs. */
export function randomVarUintValue(random: Random): number {
  const bits = random.int(54);
  if (bits === 0) return 0;
  // Top bit set; lower bits from two 26-bit draws, as one float draw has only 32 random bits.
  const high = 2 ** (bits - 1);
  const low52 = random.int(2 ** 26) * 2 ** 26 + random.int(2 ** 26);
  return high + (low52 % high);
}

/** A payload length biased towards varUint boundaries (127/128, 16383/16384) and small sizes. */
export function randomPayloadLength(random: Random): number {
  const choice = random.int(10);
  if (choice < 5) return random.int(16);
  if (choice < 7) return 120 + random.int(16);
  if (choice < 8) return 16_380 + random.int(8);
  return random.int(2_000);
}

/** A random valid Unicode string: ASCII, accented, CJK, astral and a leading-BOM case. */
export function randomText(random: Random, maxCodePoints: number): string {
  const pools: readonly [number, number][] = [
    [0x20, 0x7e],
    [0x00, 0x1f],
    [0xc0, 0x24f],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f5ff],
    [0xfeff, 0xfeff],
  ];
  const length = random.int(maxCodePoints + 1);
  let text = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = random.pick(pools);
    text += String.fromCodePoint(lo + random.int(hi - lo + 1));
  }
  return text;
}
