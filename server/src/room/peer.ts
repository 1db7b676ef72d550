/** What a room needs from a connection: kept narrow so rooms can be tested without sockets. */
import type { DocState } from '../transport/slow-reader.js';

export interface Peer {
  /** Stable id for logs. */
  readonly id: number;
  /** Viewers may sync and show presence but never change the document. */
  readonly readOnly: boolean;
  /** Who this is (token `sub`), when the access decision said; names version authors. */
  readonly principal?: string;
  /** The client opted into Quire protocol extensions (persisted acks). */
  readonly extensions: boolean;
  /** Who is charged when this peer creates a document (auth/creation-quota.ts); null = exempt. */
  readonly quotaKey: string | null;
  /** Awareness client IDs this peer announced (owned by it while it is connected). */
  readonly awarenessIds: Set<number>;
  /** Sync step 2 / update messages this peer sent that the room has handled (applied, refused
   * or found empty). The persisted ack reports how many of them are durable, because a
   * delete-only edit does not move the state vector the ack also carries. */
  updatesHandled: number;
  /** `covers`: for a frame that carries a document change, the document state the peer had
   * before it. A peer that cannot keep up may hold such a frame back and later resync from that
   * state instead (slow-reader.ts). */
  send(frame: Uint8Array, covers?: DocState): void;
  /** The resync a slow peer asked for (Room.resync) has been written: it takes frames again. */
  caughtUp(): void;
  close(code: number, reason: string): void;
}
