/**
 * One loaded document: its Y.Doc, its peers, and the fan-out between them. Every change carries
 * an origin (change-origin.ts) that decides whether it is stored, relayed and published; a stored
 * change is relayed only after it is written, as the same bytes encoded once, and every sync
 * reply waits for the writes queued before it (write-chain.ts), so no client ever sees content
 * that is not yet written. Guards and quotas run before a change reaches the room; compaction
 * and durability belong to persistence, which reports "durable up to here" for the room to send.
 */
import * as Y from 'yjs';
import {
  CloseCode,
  encodePersistedAck,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  type AwarenessEntry,
  type ClientFrame,
} from '@quire/shared';
import type { DocumentLog, DocumentStore } from '../persistence/document-store.js';
import type { DurabilityListener } from '../persistence/persisted-ack.js';
import type { DocState } from '../transport/slow-reader.js';
import { errorMessage, type Logger } from '../log.js';
import { routeFor, type ChangeOrigin } from './change-origin.js';
import type { Peer } from './peer.js';
import { RoomPresence } from './presence.js';
import { WriteChain } from './write-chain.js';

export interface RoomContext {
  store: DocumentStore;
  log: Logger;
  maxAwarenessStateBytes: number;
  /** Called when the last peer leaves. */
  onEmpty(room: Room): void;
  /** Other instances get a stored change and the seq the store gave it (bus/room-link.ts);
   * absent with no bus. Never called for a change that failed to store. */
  publish?(room: Room, update: Uint8Array, seq: number): void;
  /** A queued write or send threw (counted). */
  onChainFailure?(): void;
  /** A change was applied and routed (history/version-policy.ts: when, and by whom; webhooks:
   * `created` when it gave an empty document its first content). Called in the turn the change
   * is stored. */
  onChange?(room: Room, origin: ChangeOrigin, created: boolean): void;
  /** This instance's peers changed their presence (accepted entries, removals included):
   * other instances are told (bus/presence-link.ts); absent with no bus. */
  onLocalPresence?(room: Room, entries: AwarenessEntry[]): void;
}

/** What an apply did. */
export type ApplyResult = 'changed' | 'unchanged' | 'refused';

/** An empty state vector (no clients) encodes as a single zero byte. */
const isEmptyStateVector = (sv: Uint8Array) => sv.length === 1 && sv[0] === 0;

/** The Yjs transaction origin of one apply: the listener records what the transaction did. */
class PendingChange {
  changed = false;
  /** The document state before the apply. */
  before: Map<number, number> | null = null;
  constructor(readonly origin: ChangeOrigin) {}
}

export class Room implements DurabilityListener<Map<Peer, number>> {
  readonly peers = new Set<Peer>();
  /** Everyone present, this instance's peers and (with a bus) the other instances' clients. */
  readonly presence: RoomPresence;
  private readonly chain: WriteChain;
  /** Full state for empty-state-vector sync requests (a new tab): the stored snapshot the room
   * was loaded from, until the first change. Not kept once re-encoded: a copy per room that had
   * a new tab since its last change is 0.2 MiB per document in the benchmark (BENCHMARKS.md,
   * "Memory per open document"), and an edited document changes again before most new tabs. */
  private fullState: Uint8Array | null;

  constructor(
    readonly name: string,
    /** The document's Y.Doc (`log.doc`), maybe still an empty shell (dormant): listeners attach
     * to it; everything else reads `this.doc`. */
    doc: Y.Doc,
    readonly log: DocumentLog,
    private readonly ctx: RoomContext,
    /** The stored bytes `doc` was built from, when they alone are the whole document: served
     * as they are instead of re-encoding the document for every new tab. */
    storedState: Uint8Array | null = null,
  ) {
    this.fullState = storedState;
    this.presence = new RoomPresence(name, ctx.maxAwarenessStateBytes, ctx.log, (entries) =>
      ctx.onLocalPresence?.(this, entries),
    );
    this.chain = new WriteChain(name, ctx.log, ctx.onChainFailure);
    log.ack.listen(this);
    // Cheaper than listening to 'update', which makes Yjs re-encode every transaction. Only the
    // apply's own transaction counts: Yjs follows it with formatting cleanup (Y.Text, Y.XmlText)
    // in transactions of its own, which are part of the same change.
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (!(tr.origin instanceof PendingChange)) return;
      tr.origin.changed = tr.deleteSet.clients.size > 0 || stateAdvanced(tr);
      tr.origin.before = tr.beforeState;
    });
  }

  /** The Y.Doc with everything stored in it. A room loaded dormant (persistence/
   * document-content.ts) builds it on first read: the sync handshake, presence and unchanged
   * answers never read it, so an open document nobody edits stays its stored bytes. */
  get doc(): Y.Doc {
    return this.log.doc;
  }

  join(peer: Peer): void {
    this.peers.add(peer);
    peer.send(encodeSyncStep1(this.log.content.stateVector()));
    if (peer.extensions) {
      const durable = this.log.ack.durableStateVector;
      // None of its messages is counted yet. Unknown since the last write (no opted-in peer
      // wanted it then): one more commit round captures it now that someone does.
      if (durable) peer.send(encodePersistedAck(durable, 0));
      else this.log.ack.requestRound();
    }
    const present = this.presence.presentFrame();
    if (present) peer.send(present);
  }

  leave(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    const removed = this.presence.removeFrame(peer);
    if (removed) this.broadcast(removed, null);
    if (this.peers.size === 0) this.ctx.onEmpty(this);
  }

  /** A connection's frame, after admission (guards/update-admission.ts). */
  handle(peer: Peer, frame: ClientFrame): void {
    switch (frame.kind) {
      case 'sync-step1':
        this.replyToSyncStep1(peer, frame.stateVector);
        return;
      case 'sync-step2':
      case 'sync-update': {
        peer.updatesHandled++;
        const result = this.apply(frame.update, { kind: 'connection', peer });
        if (result === 'refused') this.reject(peer, CloseCode.BadMessage, 'malformed update');
        // Nothing to write (typically a reconnecting client's sync step 2 when the server
        // already has everything), so no fsync would follow and the client would wait for an ack
        // that counts this message forever ("saving…"). Ask for a round: it counts it.
        else if (result === 'unchanged' && peer.extensions) this.log.ack.requestRound();
        return;
      }
      case 'awareness': {
        const verdict = this.presence.apply(peer, frame.update);
        if (!verdict.ok) this.reject(peer, verdict.code, verdict.reason, verdict.error);
        else if (verdict.relay) this.broadcast(verdict.relay, peer);
        return;
      }
      case 'query-awareness':
        peer.send(this.presence.presentFrame(true)!);
        return;
    }
  }

  /** Applies an update from `origin` and routes what the document took (change-origin.ts). An
   * update that fails part-way is 'refused', and what it changed is still stored and relayed, so
   * memory, disk and peers agree. Pending state (a gap the guard could not see) is never kept. */
  apply(update: Uint8Array, origin: ChangeOrigin): ApplyResult {
    discardPending(this.doc); // left by a stored log with a gap (see persistence); not ours
    const pending = new PendingChange(origin);
    let failure: unknown = null;
    try {
      Y.applyUpdate(this.doc, update, pending);
    } catch (error) {
      failure = error ?? new Error('applyUpdate failed');
    }
    const refused = discardPending(this.doc) || failure !== null;
    if (refused) {
      this.ctx.log.warn('update failed to apply', {
        doc: this.name,
        origin: origin.kind,
        error: failure === null ? 'pending structs' : errorMessage(failure),
      });
    }
    if (!pending.changed || pending.before === null) return refused ? 'refused' : 'unchanged';
    const applied = refused
      ? Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(pending.before))
      : update;
    this.route(applied, origin, pending.before);
    return refused ? 'refused' : 'changed';
  }

  /** A slow peer's socket drained (transport/slow-reader.ts): send it, after the writes queued
   * so far, everything since `missedFrom` and the current presence, computed now (see
   * replyToSyncStep1 for why now). `write` bypasses the peer's hold-back. */
  resync(peer: Peer, missedFrom: DocState | null, write: (frame: Uint8Array) => void): void {
    const update =
      missedFrom === null
        ? null
        : Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(missedFrom as Map<number, number>));
    this.chain.then(() => {
      if (update !== null) write(encodeSyncStep2(update));
      write(this.presence.presentFrame(true)!);
      peer.caughtUp();
      if (peer.extensions) this.log.ack.requestRound();
    });
  }

  /** Other instances' presence, already applied to `presence` (bus/presence-link.ts): sent to
   * every peer here. */
  relayRemotePresence(frame: Uint8Array | null): void {
    if (frame) this.broadcast(frame, null);
  }

  /** Waits for queued writes, then saves whatever the log holds as one snapshot (persistence
   * owns compaction). Used on unload and shutdown. Resolves false when storage still lacks part
   * of the document (a write failed and the repair did too): the caller must keep the document
   * in memory. */
  async flush(): Promise<boolean> {
    await this.chain.drained();
    return this.ctx.store.save(this.name, this.log, this.log.count > 0);
  }

  /** A dormant room answers an update that adds nothing (a new tab's empty sync step 2, a
   * reconnecting tab's delete set) without building its Y.Doc, as `handle` answers an unchanged
   * one. False when the update must go through admission and `handle`. */
  absorbUnchanged(peer: Peer, update: Uint8Array): boolean {
    if (!this.log.content.holdsAlready(update)) return false;
    // Admission never lets a viewer's update reach `handle`, where writers' are counted.
    if (peer.readOnly) return true;
    peer.updatesHandled++;
    if (peer.extensions) this.log.ack.requestRound();
    return true;
  }

  destroy(): void {
    this.log.content.destroy();
  }

  /** Who a peer is, for version history: its token subject, else the display name its
   * awareness state announced (`user.name`), else null. */
  authorName(peer: Peer): string | null {
    return peer.principal ?? this.presence.userName(peer);
  }

  // DurabilityListener (persistence/persisted-ack.ts): the room sends the acks.
  wanted(): boolean {
    for (const peer of this.peers) if (peer.extensions) return true;
    return false;
  }

  capture(): Map<Peer, number> {
    const handled = new Map<Peer, number>();
    for (const peer of this.peers) if (peer.extensions) handled.set(peer, peer.updatesHandled);
    return handled;
  }

  durable(stateVector: Uint8Array, handled: Map<Peer, number>): void {
    for (const peer of this.peers) {
      // A peer that joined after the capture gets 0: none of its messages are covered yet.
      if (peer.extensions) peer.send(encodePersistedAck(stateVector, handled.get(peer) ?? 0));
    }
  }

  /** Stores, relays and publishes a change as its origin says, in that order. */
  private route(applied: Uint8Array, origin: ChangeOrigin, before: DocState): void {
    const route = routeFor(origin);
    this.fullState = null;
    const frame = encodeSyncUpdate(applied);
    const written = route.store ? this.ctx.store.append(this.name, this.log, applied) : undefined;
    this.chain.then(async () => {
      // `before`: what every other peer had; a slow one that must skip the frame later resyncs
      // from there (transport/slow-reader.ts).
      if (route.relay) this.broadcast(frame, route.from, before);
      // Settled by now (the chain waited for it). A failed write is not published: nothing
      // uncommitted crosses instances; the repair write publishes the whole state later.
      const seq = route.publish && written ? await written : null;
      if (seq !== null) this.ctx.publish?.(this, applied, seq);
    }, written);
    this.ctx.onChange?.(this, origin, before.size === 0);
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
        ? (this.fullState ?? this.log.content.missingFrom())
        : this.log.content.missingFrom(stateVector);
    } catch (error) {
      this.reject(peer, CloseCode.BadMessage, 'invalid state vector', error);
      return;
    }
    const frame = encodeSyncStep2(update);
    this.chain.then(() => peer.send(frame, covers));
  }

  /** One peer whose send throws must not cost the others the frame: it is closed (1011, so it
   * reconnects and resyncs) and the others still get it. */
  private broadcast(frame: Uint8Array, except: Peer | null, covers?: DocState): void {
    for (const peer of this.peers) {
      if (peer === except) continue;
      try {
        peer.send(frame, covers);
      } catch (error) {
        this.reject(peer, CloseCode.InternalError, 'send failed', error);
      }
    }
  }

  private reject(peer: Peer, code: number, reason: string, error?: unknown): void {
    this.ctx.log.warn('closing connection', {
      doc: this.name,
      conn: peer.id,
      code,
      reason,
      error: error === undefined ? undefined : errorMessage(error),
    });
    peer.close(code, reason);
  }
}

function stateAdvanced(tr: Y.Transaction): boolean {
  for (const [client, clock] of tr.afterState) {
    if (tr.beforeState.get(client) !== clock) return true;
  }
  return false;
}

/** Drops pending state Yjs kept from an update with a gap or a dependency cycle, so it is never
 * persisted, relayed or completed by a later update. Returns whether there was any. */
function discardPending(doc: Y.Doc): boolean {
  const store = doc.store;
  if (store.pendingStructs === null && store.pendingDs === null) return false;
  store.pendingStructs = null;
  store.pendingDs = null;
  return true;
}
