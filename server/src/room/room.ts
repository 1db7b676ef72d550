/**
 * One loaded document: its Y.Doc, awareness and connected peers. Every incoming update is
 * validated by applying it, appended to storage, and only then relayed to the other peers, as
 * the same bytes encoded once. Outgoing document state goes through the same ordered write chain,
 * so no client ever sees content that is not yet written.
 */
import * as Y from 'yjs';
import {
  CloseCode,
  decodeAwarenessUpdate,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  type AwarenessEntry,
  type ClientFrame,
} from '@quire/shared';
import { AwarenessRegistry } from './awareness-registry.js';
import type { CreationQuota } from '../guards/creation-quota.js';
import { discardPending } from '../guards/update-guard.js';
import type { DocumentLog, DocumentStore } from '../persistence/document-store.js';
import type { Peer } from './peer.js';
import type { DocState } from '../transport/slow-reader.js';
import { MAX_AWARENESS_ENTRIES_PER_MESSAGE } from '../limits.js';
import { errorMessage, type Logger } from '../log.js';

export interface RoomContext {
  store: DocumentStore;
  creationQuota: CreationQuota;
  log: Logger;
  maxAwarenessStateBytes: number;
  /** Called when the last peer leaves. */
  onEmpty(room: Room): void;
}

/** An update with no structs and no deletions (`[0, 0]`), as a client's reply to our sync
 * step 1 for an empty document: viewing a new document must not count as creating it. */
const EMPTY_UPDATE_BYTES = 2;

/** An empty state vector (no clients) encodes as a single zero byte. */
const isEmptyStateVector = (sv: Uint8Array) => sv.length === 1 && sv[0] === 0;

export class Room {
  readonly peers = new Set<Peer>();
  private readonly awareness: AwarenessRegistry;
  /** Resolves when every write queued so far is done; relays and replies chain onto it. */
  private chain: Promise<void> = Promise.resolve();
  /** Full state for empty-state-vector sync requests (a new tab): the stored snapshot the room
   * was loaded from, else encoded on first request; dropped on every change. */
  private fullState: Uint8Array | null;
  /** Set by the afterTransaction listener while an update is applied. */
  private lastApplyChanged = false;
  /** The state before the last transaction, to re-encode what a partly applied update added. */
  private lastBeforeState: Map<number, number> | null = null;
  /** Empty when loaded: the first update with content creates it and is charged to the
   * writer's creation quota (auth/creation-quota.ts). */
  private creationPending: boolean;

  constructor(
    readonly name: string,
    readonly doc: Y.Doc,
    readonly log: DocumentLog,
    private readonly ctx: RoomContext,
    /** The stored bytes `doc` was built from, when they alone are the whole document: served
     * as they are instead of re-encoding the document for every new tab. */
    storedState: Uint8Array | null = null,
  ) {
    this.fullState = storedState;
    this.awareness = new AwarenessRegistry(ctx.maxAwarenessStateBytes);
    this.creationPending = doc.store.clients.size === 0;
    // Persisted acks (group commit → durable state vector) go to this room's opted-in peers.
    log.ack.bind(this.peers);
    // Cheaper than listening to 'update', which makes Yjs re-encode every transaction. One
    // apply can run several transactions: Yjs cleans up formatting (Y.Text, Y.XmlText) in
    // transactions of its own right after, which change nothing. So the flags accumulate over
    // the apply, and the state before it is the first transaction's.
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.deleteSet.clients.size > 0 || stateAdvanced(tr)) this.lastApplyChanged = true;
      this.lastBeforeState ??= tr.beforeState;
    });
  }

  join(peer: Peer): void {
    this.peers.add(peer);
    peer.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    this.log.ack.join(peer);
    const present = this.awareness.present();
    if (present.length > 0) peer.send(encodeAwareness(encodeAwarenessUpdate(present)));
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    const removed = this.awareness.removeOwned(peer, peer.awarenessIds);
    if (removed.length > 0) this.broadcast(encodeAwareness(encodeAwarenessUpdate(removed)), null);
    if (this.peers.size === 0) this.ctx.onEmpty(this);
  }

  handle(peer: Peer, frame: ClientFrame): void {
    switch (frame.kind) {
      case 'sync-step1':
        this.replyToSyncStep1(peer, frame.stateVector);
        return;
      case 'sync-step2':
      case 'sync-update':
        this.applyUpdate(peer, frame.update);
        return;
      case 'awareness':
        this.applyAwareness(peer, frame.update);
        return;
      case 'query-awareness':
        peer.send(encodeAwareness(encodeAwarenessUpdate(this.awareness.present())));
        return;
    }
  }

  /** The reply is computed now and sent after every write queued so far: now, the document holds
   * exactly what those writes store, so the reply never carries an update that is not yet on
   * disk (one applied later is relayed after its own write, behind this reply). */
  private replyToSyncStep1(peer: Peer, stateVector: Uint8Array): void {
    let update: Uint8Array;
    let covers: DocState;
    try {
      covers = Y.decodeStateVector(stateVector);
      update = isEmptyStateVector(stateVector)
        ? (this.fullState ??= Y.encodeStateAsUpdate(this.doc))
        : Y.encodeStateAsUpdate(this.doc, stateVector);
    } catch (error) {
      this.reject(peer, CloseCode.BadMessage, 'invalid state vector', error);
      return;
    }
    const frame = encodeSyncStep2(update);
    this.afterWrites(() => peer.send(frame, covers));
  }

  /** A slow peer's socket drained (slow-reader.ts): send it, after the writes queued so far,
   * everything since `missedFrom` and the current presence, computed now (see replyToSyncStep1
   * for why now). `write` bypasses the peer's hold-back. */
  resync(peer: Peer, missedFrom: DocState | null, write: (frame: Uint8Array) => void): void {
    const update =
      missedFrom === null
        ? null
        : Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(missedFrom as Map<number, number>));
    this.afterWrites(() => {
      if (update !== null) write(encodeSyncStep2(update));
      write(encodeAwareness(encodeAwarenessUpdate(this.awareness.present())));
      peer.caughtUp();
      if (peer.extensions) this.log.ack.requestRound();
    });
  }

  private applyUpdate(peer: Peer, update: Uint8Array): void {
    peer.updatesHandled++;
    if (peer.readOnly) {
      this.refuseViewerWrite(peer, update);
      return;
    }
    if (this.creationPending && update.length > EMPTY_UPDATE_BYTES) {
      if (!this.ctx.creationQuota.tryCharge(peer.quotaKey)) {
        this.reject(peer, CloseCode.TryAgainLater, 'too many new documents; retry later', null);
        return;
      }
      this.creationPending = false;
    }
    this.lastApplyChanged = false;
    this.lastBeforeState = null;
    discardPending(this.doc); // left by a stored log with a gap (see persistence.ts); not ours
    let failure: unknown = null;
    try {
      Y.applyUpdate(this.doc, update, peer);
    } catch (error) {
      failure = error ?? new Error('applyUpdate failed');
    }
    // The connection's UpdateGuard refuses malformed and dependency-missing updates before this;
    // this is the safety net for what it cannot see. Pending state is never kept.
    const hadPending = discardPending(this.doc);
    let applied = update;
    if (failure !== null || hadPending) {
      this.reject(peer, CloseCode.BadMessage, 'malformed update', failure ?? 'pending structs');
      if (!this.lastApplyChanged || this.lastBeforeState === null) return;
      // Partly applied: persist and relay exactly what the document took, so memory, disk and
      // peers agree.
      applied = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.lastBeforeState));
    }
    if (!this.lastApplyChanged) {
      // Nothing to write (typically a reconnecting client's sync step 2 when the server already
      // has everything), so no fsync would follow and the client would wait for an ack that
      // counts this message forever ("saving…"). Ask for a round: it acknowledges the count.
      if (peer.extensions) this.log.ack.requestRound();
      return;
    }
    this.fullState = null;
    const frame = encodeSyncUpdate(applied);
    // What every other peer had before this update: a slow one that must skip the frame later
    // resyncs from here (slow-reader.ts).
    const before: DocState = this.lastBeforeState ?? new Map<number, number>();
    const written = this.ctx.store.append(this.name, this.log, applied);
    this.chain = this.chain
      .then(() => written)
      .then(() => {
        this.broadcast(frame, peer, before);
      });
  }

  /** A viewer's sync step 2 that holds nothing new is normal (it answers our step 1); anything
   * that would change the document is refused explicitly and never applied. */
  private refuseViewerWrite(peer: Peer, update: Uint8Array): void {
    let containsNothingNew: boolean;
    try {
      containsNothingNew = Y.snapshotContainsUpdate(Y.snapshot(this.doc), update);
    } catch (error) {
      this.reject(peer, CloseCode.BadMessage, 'malformed update', error);
      return;
    }
    if (!containsNothingNew) peer.send(encodePermissionDenied('read-only'));
  }

  private applyAwareness(peer: Peer, payload: Uint8Array): void {
    let entries: AwarenessEntry[];
    try {
      entries = decodeAwarenessUpdate(payload, MAX_AWARENESS_ENTRIES_PER_MESSAGE);
    } catch (error) {
      this.reject(peer, CloseCode.BadMessage, 'malformed awareness update', error);
      return;
    }
    const verdict = this.awareness.apply(peer, peer.awarenessIds, entries);
    if (!verdict.ok) {
      const code = verdict.reason === 'state-too-large' ? CloseCode.TooLarge : CloseCode.BadMessage;
      this.reject(peer, code, `awareness refused: ${verdict.reason}`, null);
      return;
    }
    if (verdict.dropped > 0) {
      // Routine, not an attack: stock y-websocket clients echo every peer's state back.
      this.ctx.log.debug("awareness for another connection's client ID dropped", {
        doc: this.name,
        conn: peer.id,
        dropped: verdict.dropped,
      });
    }
    if (verdict.accepted.length === 0) return;
    // Re-encoded with the registry's relay clocks (see awareness-registry.ts): one small entry.
    this.broadcast(encodeAwareness(encodeAwarenessUpdate(verdict.accepted)), peer);
  }

  private broadcast(frame: Uint8Array, except: Peer | null, covers?: DocState): void {
    for (const peer of this.peers) {
      if (peer !== except) peer.send(frame, covers);
    }
  }

  private reject(peer: Peer, code: number, reason: string, error: unknown): void {
    this.ctx.log.warn('closing connection', {
      doc: this.name,
      conn: peer.id,
      code,
      reason,
      error: error === null ? undefined : errorMessage(error),
    });
    peer.close(code, reason);
  }

  /** Runs `fn` after every write queued so far. */
  private afterWrites(fn: () => void): void {
    this.chain = this.chain.then(fn);
  }

  /** Waits for queued writes, then saves whatever the log holds as one snapshot (persistence.ts
   * owns compaction). Used on unload and shutdown. Resolves false when storage still lacks part
   * of the document (a write failed and the repair did too): the caller must keep the document
   * in memory. */
  async flush(): Promise<boolean> {
    await this.chain;
    return this.ctx.store.save(this.name, this.log, this.log.count > 0);
  }

  destroy(): void {
    this.doc.destroy();
  }
}

function stateAdvanced(tr: Y.Transaction): boolean {
  for (const [client, clock] of tr.afterState) {
    if (tr.beforeState.get(client) !== clock) return true;
  }
  return false;
}
