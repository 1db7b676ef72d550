/**
 * Comparing Yjs state vectors (client ID → clock, as `Y.decodeStateVector` returns them). Used on
 * both sides of a rollback report: the client to notice that the server lost acknowledged edits,
 * the server to confirm it.
 */

export interface Shortfall {
  /** Client IDs whose clock in the reference is ahead of the current one. */
  clients: number;
  /** Sum over those clients of reference clock − current clock: how many items are missing. */
  missingClocks: number;
}

/** What `current` lacks of `reference`. Throws a RangeError on a reference clock that is not a
 * non-negative safe integer (the vectors come off the wire). */
export function stateVectorShortfall(
  reference: ReadonlyMap<number, number>,
  current: ReadonlyMap<number, number>,
): Shortfall {
  let clients = 0;
  let missingClocks = 0;
  for (const [client, clock] of reference) {
    if (!Number.isSafeInteger(clock) || clock < 0) throw new RangeError(`invalid clock ${clock}`);
    const have = current.get(client) ?? 0;
    if (clock > have) {
      clients++;
      missingClocks += clock - have;
    }
  }
  return { clients, missingClocks };
}
