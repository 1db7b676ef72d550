/**
 * One loaded room's presence across instances. What this instance's peers change (after the
 * room's checks, room/presence.ts) is batched until the next tick of the instance's presence
 * clock (at most `batchMs` away, bus/presence-batch.ts) and published as one bus message, so a
 * burst of cursor moves costs the bus one message per window, not one per keystroke, and only
 * the latest state of each client goes out. What other instances publish is checked again and
 * kept in the room's registry under one RemoteOwner per instance, then relayed to this
 * instance's peers; joiners and awareness queries see it like local presence.
 *
 * Messages (bus/presence-wire.ts): "changes", "everything" (replaces what a receiver holds from
 * that instance), and a "query" a room sends when it opens, answered with "everything" by every
 * instance that has the room open. "Everything" also goes out after a bus outage (removals
 * published meanwhile were lost) and when the room unloads (its peers are gone: an empty one).
 *
 * Bounded: at most MAX_REMOTE_INSTANCES_PER_ROOM instances and MAX_REMOTE_STATES_PER_ROOM
 * states from them per room; a malformed message is dropped with a log line and a counter, and
 * nothing received can throw into the bus or another document.
 */
import type { AwarenessEntry } from '@quire/shared';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { RemoteOwner } from '../room/awareness-registry.js';
import type { Room } from '../room/room.js';
import type { BusEnvelope, DocumentBus } from './adapter.js';
import type { PresenceBatchClock, PresenceBatchMember } from './presence-batch.js';
import { decodePresence, encodePresence, type PresenceMessage } from './presence-wire.js';

/** Default of `busPresenceBatchMs`: short enough to look live, long enough that a typing burst
 * (a cursor move per keystroke) is a few messages per second per room. */
export const DEFAULT_BUS_PRESENCE_BATCH_MS = 40;
/** Other instances' client states one room keeps (every y-websocket tab is one). */
export const MAX_REMOTE_STATES_PER_ROOM = 4_096;
/** Other instances one room keeps presence from. */
export const MAX_REMOTE_INSTANCES_PER_ROOM = 64;

export interface PresenceLinkContext {
  bus: DocumentBus;
  log: Logger;
  metrics: Metrics;
  /** The instance's one batch clock (busPresenceBatchMs), shared by every room's link. */
  batch: PresenceBatchClock;
  /** False: ignore this message (its instance said goodbye); see instance-heartbeat.ts. */
  heard(instanceId: string): boolean;
  now(): number;
  onClose(link: PresenceLink): void;
}

export class PresenceLink implements PresenceBatchMember {
  private readonly remotes = new Map<string, { owner: RemoteOwner; heardAt: number }>();
  /** Latest accepted entry per local client ID since the last publish. */
  private readonly pending = new Map<number, AwarenessEntry>();
  private everything = false;
  /** What this instance last published may have left states on other instances. */
  private announced = false;
  private closed = false;
  /** Instances asked for everything after a first "changes" from them (see apply). */
  private readonly asked = new Set<string>();

  constructor(
    private readonly room: Room,
    private readonly ctx: PresenceLinkContext,
  ) {}

  get docName(): string {
    return this.room.name;
  }

  /** This instance's peers changed (RoomPresence's onLocalChange). */
  local(entries: readonly AwarenessEntry[]): void {
    if (this.closed) return;
    for (const entry of entries) this.pending.set(entry.clientID, entry);
    this.schedule();
  }

  /** Publishes everything this instance has in the room, within the batch window. */
  announceEverything(): void {
    if (this.closed) return;
    this.everything = true;
    this.schedule();
  }

  /** Asks the other instances for everything they have in the room (it just opened, or an
   * instance thought dead is back). */
  query(): void {
    if (!this.closed) this.publish({ kind: 'query' });
  }

  receive(envelope: BusEnvelope): void {
    if (this.closed || envelope.message.kind !== 'awareness') return;
    try {
      this.apply(envelope.instanceId, envelope.message.update);
    } catch (error) {
      this.ctx.metrics.busPresenceRefused++;
      this.ctx.log.error('bus presence failed', {
        doc: this.room.name,
        from: envelope.instanceId,
        error: errorMessage(error),
      });
    }
  }

  /** An instance died or left: its clients' states go, and peers here are told. */
  removeInstance(instanceId: string): void {
    const remote = this.remotes.get(instanceId);
    if (!remote) return;
    this.remotes.delete(instanceId);
    this.room.relayRemotePresence(this.room.presence.removeRemote(remote.owner));
  }

  /** After a bus outage: drops the states of instances not heard from since `since` (they did
   * not announce everything again: they no longer have this room open). */
  dropSilentSince(since: number): void {
    for (const [instanceId, remote] of this.remotes) {
      if (remote.heardAt < since) this.removeInstance(instanceId);
    }
  }

  /** The room unloads (or is dropped with its peers still attached, as for a deleted
   * document): tells the other instances that nothing of this instance is left in it, now. */
  close(): void {
    if (this.closed) return;
    this.ctx.batch.remove(this);
    this.everything = true;
    this.flush(true);
    this.closed = true;
    this.ctx.onClose(this);
  }

  private apply(instanceId: string, bytes: Uint8Array): void {
    const { log, metrics } = this.ctx;
    if (!this.ctx.heard(instanceId)) return;
    const message = decodePresence(bytes, MAX_REMOTE_STATES_PER_ROOM);
    if (!message) {
      metrics.busPresenceRefused++;
      log.warn('malformed bus presence dropped', {
        doc: this.room.name,
        from: instanceId,
        bytes: bytes.length,
      });
      return;
    }
    metrics.busPresenceReceived++;
    if (message.kind === 'query') {
      this.announceEverything();
      return;
    }
    let remote = this.remotes.get(instanceId);
    if (!remote) {
      if (this.remotes.size >= MAX_REMOTE_INSTANCES_PER_ROOM) {
        metrics.busPresenceRefused++;
        log.warn('bus presence from one instance too many dropped', {
          doc: this.room.name,
          from: instanceId,
        });
        return;
      }
      remote = { owner: new RemoteOwner(instanceId), heardAt: 0 };
      this.remotes.set(instanceId, remote);
      // Changes from an instance this room holds nothing of: the answer to the room's query may
      // have been missed (the subscription went live late, the bus dropped it), so ask once.
      if (message.kind === 'changes' && !this.asked.has(instanceId)) {
        if (this.asked.size >= MAX_REMOTE_INSTANCES_PER_ROOM) this.asked.clear();
        this.asked.add(instanceId);
        this.query();
      }
    }
    remote.heardAt = this.ctx.now();
    let held = 0;
    for (const r of this.remotes.values()) held += r.owner.ids.size;
    const maxIds = remote.owner.ids.size + Math.max(0, MAX_REMOTE_STATES_PER_ROOM - held);
    const { relay, refused } = this.room.presence.applyRemote(
      remote.owner,
      message.entries,
      message.kind === 'everything',
      maxIds,
    );
    if (refused > 0) {
      metrics.busPresenceStatesRefused += refused;
      log.warn('bus presence states refused', {
        doc: this.room.name,
        from: instanceId,
        refused,
      });
    }
    this.room.relayRemotePresence(relay);
  }

  private schedule(): void {
    if (!this.closed) this.ctx.batch.add(this);
  }

  /** The batch clock's tick (PresenceBatchMember). */
  flushBatch(): void {
    if (!this.closed) this.flush();
  }

  private flush(closing = false): void {
    if (this.everything) {
      this.everything = false;
      this.pending.clear();
      const entries = closing ? [] : this.room.presence.localPresent();
      // Nothing left anywhere from us: an empty "everything" would say nothing new.
      if (entries.length === 0 && !this.announced) return;
      this.publish({ kind: 'everything', entries });
      this.announced = entries.length > 0;
      return;
    }
    if (this.pending.size === 0) return;
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.publish({ kind: 'changes', entries });
    this.announced = true;
  }

  private publish(message: PresenceMessage): void {
    this.ctx.metrics.busPresencePublished++;
    this.ctx.bus.publish(this.room.name, { kind: 'awareness', update: encodePresence(message) });
  }
}
