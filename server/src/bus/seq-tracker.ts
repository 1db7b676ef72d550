/**
 * Which of a document's store seqs one instance holds, so a bus receiver can ignore what it has
 * (a duplicate, a message racing the storage read) and notice what it missed.
 *
 * `held`: every seq up to it is in this instance's document (from the load, a catch-up read,
 * or, with gapless seqs, a run of consecutive ones). Seqs above it that arrived (on the bus, or
 * as this instance's own writes) are kept in `above` until `held` reaches them.
 *
 * With gapless seqs (StorageAdapter.gaplessSeqs: PostgreSQL, MemoryStorage) seq n + 1 after n
 * means nothing in between, so `held` advances by itself, and a seq above `held + 1` says what
 * is missing: a gap, filled from storage after a short grace (pub/sub may reorder messages of
 * different publishers). With a store-wide counter (SQLite) a seq says nothing about the ones
 * below it: `held` advances only by storage reads, and the periodic head check (which then reads
 * the tail after `held` whenever the head moved) is what heals a missed message.
 */

/** More seqs than this above `held` (a catch-up failing for long while messages keep coming):
 * the oldest are forgotten. Forgetting only costs a duplicate apply, which Yjs ignores. */
const MAX_ABOVE = 10_000;

export class SeqTracker {
  private heldSeq: number;
  private readonly above = new Set<number>();

  constructor(
    readonly gapless: boolean,
    held: number,
  ) {
    this.heldSeq = held;
  }

  /** Every seq up to this one is held. */
  get held(): number {
    return this.heldSeq;
  }

  /** Seqs are missing below one that is held (gapless stores only). */
  get hasGap(): boolean {
    return this.gapless && this.above.size > 0;
  }

  /** Whether `seq` is held. */
  has(seq: number): boolean {
    return seq <= this.heldSeq || this.above.has(seq);
  }

  /** Records `seq` as held (its update is in the document); false when it already was. */
  take(seq: number): boolean {
    if (seq <= this.heldSeq || this.above.has(seq)) return false;
    if (this.gapless && seq === this.heldSeq + 1) {
      this.heldSeq = seq;
      this.advance();
      return true;
    }
    this.above.add(seq);
    if (this.above.size > MAX_ABOVE) this.above.delete(this.above.values().next().value!);
    return true;
  }

  /** The seqs above `held` now: pass them to `caughtUp` after a storage read that starts now. */
  aboveNow(): number[] {
    return [...this.above];
  }

  /** A storage read covered every seq up to `head`. `before`: what `aboveNow` said when the
   * read started. A message is published after its commit, so a real seq received before the
   * read is at most `head`; one above it was never stored (forged, or from a document deleted
   * and created again) and is forgotten, or it would show a gap forever. */
  caughtUp(head: number, before: readonly number[] = []): void {
    for (const seq of before) if (seq > head) this.above.delete(seq);
    if (head > this.heldSeq) this.heldSeq = head;
    for (const seq of this.above) if (seq <= this.heldSeq) this.above.delete(seq);
    this.advance();
  }

  /** Whether the store's head says this instance lacks something. */
  behind(head: number): boolean {
    return head > this.heldSeq;
  }

  private advance(): void {
    if (!this.gapless) return;
    while (this.above.delete(this.heldSeq + 1)) this.heldSeq++;
  }
}
