/**
 * Early initial sync for cold documents. When a connection's document is not in memory, the room
 * registry reads its stored state (a compacted snapshot) and, before integrating it into a Y.Doc
 * (the slow part of a load: hundreds of milliseconds for a long history), hands the bytes to the
 * connection that caused the load, which sends them at once as sync step 2. The client applies
 * the document while the server builds its own copy, instead of after.
 *
 * Nothing unwritten is served: the bytes are exactly what storage holds, and the room is built
 * from them with no other write in between. The client's own sync step 1 (usually sent before our
 * step 2 reached it, so asking for everything) is then answered with only what is not in the
 * state already sent: its state vector is merged with the sent one.
 */
import * as Y from 'yjs';
import type { ClientFrame } from '@quire/shared';

/** The client's sync step 1, asking only for what it lacks beyond `sentStateVector`. A frame
 * whose state vector does not decode is left alone for the room to refuse. */
export function stepOneAfterEarlySync(
  frame: Extract<ClientFrame, { kind: 'sync-step1' }>,
  sentStateVector: Uint8Array,
): ClientFrame {
  let merged: Map<number, number>;
  try {
    merged = Y.decodeStateVector(sentStateVector);
    for (const [client, clock] of Y.decodeStateVector(frame.stateVector)) {
      if (clock > (merged.get(client) ?? 0)) merged.set(client, clock);
    }
  } catch {
    return frame;
  }
  return { ...frame, stateVector: Y.encodeStateVector(merged) };
}
