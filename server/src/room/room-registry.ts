/**
 * Get-or-load for rooms. Concurrent joins of one document share a single load; a room whose last
 * peer left unloads after a grace period and a final flush; a join that arrives while a room is
 * unloading waits for that flush and then loads fresh, so no write can be lost in between
 * (the Hocuspocus #995 race).
 */
import type { DocumentStore } from '../persistence/document-store.js';
import type { DocumentBus } from '../bus/adapter.js';
import type { RoomBusLink } from '../bus/room-link.js';
import { RoomBusLinks } from '../bus/room-links.js';
import type { BusPresence } from '../bus/bus-presence.js';
import type { PresenceLink } from '../bus/presence-link.js';
import { Room } from './room.js';
import type { VersionPolicy } from '../history/version-policy.js';
import type { Webhooks } from '../webhooks/webhooks.js';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export interface RoomRegistryOptions {
  store: DocumentStore;
  log: Logger;
  metrics: Metrics;
  unloadGraceMs: number;
  maxAwarenessStateBytes: number;
  /** Other instances serving the same documents; absent for a single instance. */
  bus?: DocumentBus;
  /** Presence across instances over `bus` (bus/bus-presence.ts); absent for a single instance. */
  presence?: BusPresence;
  /** With `bus`: period of the head check that catches up rooms that missed a message
   * (bus/room-links.ts). Default 5000 ms. */
  busCatchUpIntervalMs?: number;
  /** Whether a document was deleted (documents/document-service.ts): a deleted one is never
   * loaded, so a connection that raced the delete cannot bring it back. Default: never. */
  isDeleted?(name: string): Promise<boolean>;
  /** Version history (history/version-policy.ts): told of every change, of a room its last
   * peer left, and of a room about to be destroyed. Default: none. */
  history?: Pick<VersionPolicy, 'changed' | 'emptied' | 'unloaded' | 'forget'>;
  /** Webhooks (webhooks/webhooks.ts): told of every change, in the turn it is stored.
   * Default: none. */
  webhooks?: Pick<Webhooks, 'changed'>;
}

/** Thrown by `acquire` for a deleted document. */
export class DocumentGoneError extends Error {
  constructor(readonly docName: string) {
    super(`document "${docName}" was deleted`);
    this.name = 'DocumentGoneError';
  }
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly unloadTimers = new Map<Room, NodeJS.Timeout>();
  /** Server-side users of a room (withRoom): it does not unload while they hold it. */
  private readonly holds = new Map<Room, number>();
  private readonly busLinks = new Map<Room, RoomBusLink>();
  private readonly presenceLinks = new Map<Room, PresenceLink>();

  /** The bus links and their catch-ups; null without a bus. */
  private readonly links: RoomBusLinks | null;

  constructor(private readonly options: RoomRegistryOptions) {
    this.links = options.bus
      ? new RoomBusLinks({
          bus: options.bus,
          storage: options.store.storage,
          log: options.log,
          metrics: options.metrics,
          catchUpIntervalMs: options.busCatchUpIntervalMs ?? 5_000,
        })
      : null;
  }

  get size(): number {
    return this.rooms.size;
  }

  /** The loaded room for `name`, loading it if needed. Rejects if storage cannot load it.
   * `onStoredState` is called with the stored state before it is integrated, when this call
   * starts a load of a compacted document (early-sync.ts). */
  async acquire(name: string, onStoredState?: (state: Uint8Array) => void): Promise<Room> {
    for (;;) {
      const room = this.rooms.get(name);
      if (room) {
        this.cancelUnload(room);
        return room;
      }
      const pending = this.loading.get(name) ?? null;
      if (pending) return pending;
      const unloading = this.unloading.get(name);
      if (unloading) {
        await unloading;
        continue;
      }
      const load = this.loadUnlessDeleted(name, onStoredState);
      this.loading.set(name, load);
      return load;
    }
  }

  /** Runs `fn` with the loaded room for `name` (loading it if needed, shared with connected
   * editors). The room stays loaded while `fn` runs; afterwards, with no peer connected, it
   * unloads after the usual grace period. */
  async withRoom<T>(name: string, fn: (room: Room) => T | Promise<T>): Promise<T> {
    const room = await this.acquire(name);
    this.holds.set(room, (this.holds.get(room) ?? 0) + 1);
    try {
      return await fn(room);
    } finally {
      const left = (this.holds.get(room) ?? 1) - 1;
      if (left > 0) this.holds.set(room, left);
      else this.holds.delete(room);
      if (left <= 0 && room.peers.size === 0 && this.rooms.get(name) === room) {
        this.scheduleUnload(room);
      }
    }
  }

  /** Drops a deleted document's room without writing it back: its peers are closed with
   * `code` and the room is destroyed (no final flush). Waits for a load in progress first. */
  async evict(name: string, code: number, reason: string): Promise<void> {
    const loading = this.loading.get(name);
    if (loading) await loading.catch(() => {});
    const room = this.rooms.get(name);
    if (!room) return;
    this.rooms.delete(name);
    this.cancelUnload(room);
    // Deleted: what changed since its last version is not saved as a new one.
    this.options.history?.forget(room);
    for (const peer of [...room.peers]) peer.close(code, reason);
    this.destroy(room);
    this.options.metrics.roomsUnloaded++;
  }

  /** A deleted document is never loaded (`isDeleted`); its load's waiters get
   * DocumentGoneError. */
  private async loadUnlessDeleted(
    name: string,
    onStoredState?: (state: Uint8Array) => void,
  ): Promise<Room> {
    let deleted: boolean;
    try {
      deleted = (await this.options.isDeleted?.(name)) ?? false;
    } catch (error) {
      this.loading.delete(name);
      throw error;
    }
    if (deleted) {
      this.loading.delete(name);
      throw new DocumentGoneError(name);
    }
    return this.load(name, onStoredState);
  }

  private async load(name: string, onStoredState?: (state: Uint8Array) => void): Promise<Room> {
    let link: RoomBusLink | null = null;
    let presenceLink: PresenceLink | null = null;
    try {
      // Subscribed before storage is read: a change another instance stores meanwhile is either
      // in what the read returns or in a bus message buffered until the room exists. With the
      // bus down, the room opens anyway and catches up once subscribed (bus/room-link.ts).
      if (this.links) link = await this.links.open(name);
      const readWhileSubscribed = link?.subscribed ?? false;
      // Dormant: an open document nobody edits keeps its stored bytes, not a Y.Doc (room.ts).
      const { doc, log, storedState, headSeq } = await this.options.store.load(
        name,
        onStoredState,
        {
          dormant: true,
        },
      );
      const room = new Room(
        name,
        doc,
        log,
        {
          store: this.options.store,
          log: this.options.log,
          maxAwarenessStateBytes: this.options.maxAwarenessStateBytes,
          onEmpty: (r) => {
            this.options.history?.emptied(r);
            this.scheduleUnload(r);
          },
          onChainFailure: () => this.options.metrics.roomChainFailures++,
          onChange: (r, origin, created) => {
            this.options.history?.changed(r, origin);
            // First content of a document the store held nothing of (an API-created empty
            // document has a stored row already).
            this.options.webhooks?.changed(r, origin, created && headSeq === 0);
          },
          ...(link
            ? {
                publish: (_room: Room, update: Uint8Array, seq: number) =>
                  link!.publish(update, seq),
              }
            : {}),
          onLocalPresence: (_room, entries) => presenceLink?.local(entries),
        },
        storedState,
      );
      if (link && this.options.presence) {
        // Before attach: presence buffered during the load goes to it.
        const opened = this.options.presence.open(room);
        link.onPresence = (envelope) => opened.receive(envelope);
        this.presenceLinks.set(room, (presenceLink = opened));
      }
      if (link) {
        // The repair write after a storage outage holds what this instance could not store.
        log.onRepairStored = (update, seq) => link!.publish(update, seq);
        link.attach(room, headSeq, readWhileSubscribed);
        this.busLinks.set(room, link);
      }
      this.rooms.set(name, room);
      this.options.metrics.roomsLoaded++;
      // A room nobody joins (the joiner vanished during the load) must not stay forever.
      if (room.peers.size === 0) this.scheduleUnload(room);
      return room;
    } catch (error) {
      void link?.close();
      this.options.metrics.loadFailures++;
      this.options.log.error('failed to load document', { doc: name, error: errorMessage(error) });
      throw error;
    } finally {
      this.loading.delete(name);
    }
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room);
    const timer = setTimeout(() => void this.unload(room), this.options.unloadGraceMs);
    timer.unref();
    this.unloadTimers.set(room, timer);
  }

  private cancelUnload(room: Room): void {
    const timer = this.unloadTimers.get(room);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(room);
  }

  private async unload(room: Room): Promise<void> {
    this.unloadTimers.delete(room);
    if (room.peers.size > 0 || this.holds.has(room) || this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    const done = room
      .flush()
      .catch((error: unknown) => {
        this.options.log.error('final flush failed', {
          doc: room.name,
          error: errorMessage(error),
        });
        return false;
      })
      .then((saved) => {
        this.unloading.delete(room.name);
        if (saved) {
          this.destroy(room);
          this.options.metrics.roomsUnloaded++;
          return;
        }
        // Storage lacks part of this document: keep it in memory and try again later.
        this.rooms.set(room.name, room);
        if (room.peers.size === 0) this.scheduleUnload(room);
      });
    this.unloading.set(room.name, done);
    await done;
  }

  /** Flushes every loaded room (shutdown); rooms stay loaded. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.rooms.values()].map((room) => room.flush()));
    await Promise.all([...this.unloading.values()]);
  }

  /** Destroys every room after a flush; for shutdown. */
  async closeAll(): Promise<void> {
    this.links?.stop();
    await this.flushAll();
    for (const room of this.rooms.values()) {
      this.cancelUnload(room);
      this.destroy(room);
    }
    this.rooms.clear();
  }

  private destroy(room: Room): void {
    // Publishes the removal of this instance's peers' states, if any are left.
    this.presenceLinks.get(room)?.close();
    this.presenceLinks.delete(room);
    const link = this.busLinks.get(room);
    this.busLinks.delete(room);
    void link?.close();
    // Before the document goes: history captures what changed since its last version.
    this.options.history?.unloaded(room);
    room.destroy();
  }

  /** Names of loaded rooms (for metrics/tests). */
  loadedNames(): string[] {
    return [...this.rooms.keys()];
  }
}
