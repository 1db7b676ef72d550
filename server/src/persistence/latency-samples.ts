/** A bounded window of recent latency samples with percentiles, for stats logged at shutdown. */

/** Recent samples kept: enough for a stable p99, small enough to never matter for memory. */
const MAX_SAMPLES = 4096;

export class LatencySamples {
  private readonly samples: number[] = [];
  private next = 0;

  add(ms: number): void {
    if (this.samples.length < MAX_SAMPLES) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % MAX_SAMPLES;
  }

  /** The p-th percentile in ms (nearest rank), 0 when empty. */
  percentile(p: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return Math.round(sorted[Math.max(0, rank)]! * 1000) / 1000;
  }
}
