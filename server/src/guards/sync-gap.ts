/**
 * An update that builds on content the server does not have is a race, not an attack: a client
 * that reconnects sends a keystroke as soon as its socket opens, before the sync exchange has
 * delivered the offline edits that keystroke depends on. Such an update is never applied, stored
 * or relayed (Yjs would keep it as invisible "pending" state); instead the server sends that
 * connection its own sync step 1, and the client answers with one sync step 2 holding everything
 * the server lacks — the held-back update included. No copy of the refused update is kept.
 *
 * Bounded: at most one such request is outstanding per connection (a gapped update that arrives
 * meanwhile is covered by the answer, which the client computes later from its whole document),
 * and a connection whose answers keep leaving gaps, round after round, is a bad client.
 */
import { MAX_SYNC_GAP_ROUNDS, SYNC_GAP_WINDOW_MS } from '../limits.js';

export type GapDecision =
  /** Send our sync step 1 now. */
  | 'request'
  /** A request is outstanding; its answer will cover this update too. */
  | 'wait'
  /** Too many rounds within the window: close the connection as a bad client (4400). */
  | 'give-up';

export class SyncGapRequests {
  private outstanding = false;
  /** Updates held back (not applied) since the last answer. The answer carries them, so they
   * count as handled when it is applied: the persisted ack counts a client's messages, and a
   * held-back delete-only edit does not move the state vector the ack also carries. */
  private heldBack = 0;
  private windowStart = 0;
  private rounds = 0;

  constructor(
    private readonly maxRounds = MAX_SYNC_GAP_ROUNDS,
    private readonly windowMs = SYNC_GAP_WINDOW_MS,
  ) {}

  /** A gapped update (or a gapped sync step 2, which cannot answer a request) arrived. */
  onGap(isSyncStep2: boolean, now: number = Date.now()): GapDecision {
    this.heldBack++;
    if (this.outstanding && !isSyncStep2) return 'wait';
    if (now - this.windowStart > this.windowMs) {
      this.windowStart = now;
      this.rounds = 0;
    }
    this.rounds++;
    if (this.rounds > this.maxRounds) return 'give-up';
    this.outstanding = true;
    return 'request';
  }

  /** A sync step 2 is about to be applied: the client sent its whole document relative to some
   * state of ours, which covers every update it sent before it. Returns how many held-back
   * updates it covers. */
  answered(): number {
    this.outstanding = false;
    const covered = this.heldBack;
    this.heldBack = 0;
    return covered;
  }
}
