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
import { stateVectorShortfall, type Shortfall } from '@quire/shared';

/** What of `acknowledged` (a state vector this server once sent as durable) `doc` lacks now, or
 * null when it lacks nothing. Throws on bytes that are not a state vector. */
export function lostSinceAcknowledged(doc: Y.Doc, acknowledged: Uint8Array): Shortfall | null {
  const current = Y.decodeStateVector(Y.encodeStateVector(doc));
  const lost = stateVectorShortfall(Y.decodeStateVector(acknowledged), current);
  return lost.clients === 0 ? null : lost;
}
