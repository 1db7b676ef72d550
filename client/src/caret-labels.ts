/**
 * When each collaborator's caret label is shown: for a moment after that person moved their
 * cursor or typed (their awareness cursor changed), so a name appears where something happens
 * and then gets out of the way of the text. Hover shows a label any time (theme.ts).
 */

/** How long a label stays up after its person's last move or keystroke. */
export const LABEL_SHOW_MS = 2_000;

export class LabelActivity {
  private readonly until = new Map<number, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Called when a label's time is up, to redraw the carets. */
    private readonly onExpire: () => void,
    private readonly showMs = LABEL_SHOW_MS,
  ) {}

  /** These people just moved or typed (or joined): show their labels from now. */
  touch(clientIds: readonly number[], now = Date.now()): void {
    for (const id of clientIds) this.until.set(id, now + this.showMs);
    this.schedule(now);
  }

  forget(clientIds: readonly number[]): void {
    for (const id of clientIds) this.until.delete(id);
  }

  isActive(clientId: number, now = Date.now()): boolean {
    return (this.until.get(clientId) ?? 0) > now;
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.until.clear();
  }

  /** One timer for the earliest expiry, re-armed as labels run out; returns how many ran out.
   * A timer may fire a millisecond before `Date.now()` reaches its end (timers run on another
   * clock): then nothing has run out, nothing is redrawn, and it is re-armed. */
  private schedule(now: number): number {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let next = Infinity;
    let expired = 0;
    for (const [id, end] of this.until) {
      if (end <= now) {
        this.until.delete(id);
        expired++;
      } else next = Math.min(next, end);
    }
    if (next !== Infinity) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.schedule(Date.now()) > 0) this.onExpire();
      }, next - now);
    }
    return expired;
  }
}
