/**
 * Storage rollback reports (Quire extension, message type 101; ADVERSARIAL F8).
 *
 * If the database is deleted or restored from an old backup, reconnecting clients rebuild the
 * document through the normal sync, and nothing in the server's own state says that anything was
 * lost: a document that lacks edits looks like one whose editors were offline. An opted-in
 * client can tell, because it remembers the last state vector this server acknowledged as
 * durable; when the server's sync step 1 no longer covers it, the client sends that vector back.
 * The server checks the claim against the document before the client's copy has restored it,
 * so a confirmed report is evidence (logged as an error and counted for alerting), and a report
 * the document contradicts is only a warning.
 */
import * as Y from 'yjs';

export interface LostState {
  /** Client IDs whose acknowledged clock is ahead of the document's. */
  clients: number;
  /** Sum over those clients of acknowledged clock − current clock: how many items are gone. */
  missingClocks: number;
}

/** What of `acknowledged` (a state vector this server once sent as durable) `doc` lacks now, or
 * null when it lacks nothing. Throws on bytes that are not a state vector. */
export function lostSinceAcknowledged(doc: Y.Doc, acknowledged: Uint8Array): LostState | null {
  const reported = Y.decodeStateVector(acknowledged);
  const current = Y.decodeStateVector(Y.encodeStateVector(doc));
  let clients = 0;
  let missingClocks = 0;
  for (const [client, clock] of reported) {
    if (!Number.isSafeInteger(clock) || clock < 0) throw new Error('invalid clock');
    const have = current.get(client) ?? 0;
    if (clock > have) {
      clients++;
      missingClocks += clock - have;
    }
  }
  return clients === 0 ? null : { clients, missingClocks };
}
