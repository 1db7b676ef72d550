/**
 * Get-or-load for rooms. Concurrent joins of one document share a single load; a room whose last
 * peer left unloads after a grace period and a final flush; a join that arrives while a room is
 * unloading waits for that flush and then loads fresh, so no write can be lost in between
 * (the Hocuspocus #995 race).
 */
import type { DocumentStore } from '../persistence/document-store.js';
import type { DocumentBus } from '../bus/adapter.js';
import { RoomBusLink } from '../bus/room-link.js';
import { Room } from './room.js';
import type { VersionPolicy } from '../history/version-policy.js';
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
  /** Version history (history/version-policy.ts): told of every change, of a room its last
   * peer left, and of a room about to be destroyed. Default: none. */
  history?: Pick<VersionPolicy, 'changed' | 'emptied' | 'unloaded'>;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly unloadTimers = new Map<Room, NodeJS.Timeout>();
  private readonly busLinks = new Map<Room, RoomBusLink>();

  constructor(private readonly options: RoomRegistryOptions) {}

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
      const load = this.load(name, onStoredState);
      this.loading.set(name, load);
      return load;
    }
  }

  private async load(name: string, onStoredState?: (state: Uint8Array) => void): Promise<Room> {
    const { bus, log: logger, metrics } = this.options;
    let link: RoomBusLink | null = null;
    try {
      // Subscribed before storage is read: a change another instance stores meanwhile is either
      // in what the read returns or in a bus message buffered until the room exists.
      if (bus) link = await RoomBusLink.open(bus, name, logger, metrics);
      const { doc, log, storedState } = await this.options.store.load(name, onStoredState);
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
          onChange: (r, origin) => this.options.history?.changed(r, origin),
          ...(link ? { publish: (_room: Room, update: Uint8Array) => link!.publish(update) } : {}),
        },
        storedState,
      );
      if (link) {
        link.attach(room);
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
    if (room.peers.size > 0 || this.rooms.get(room.name) !== room) return;
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
    await this.flushAll();
    for (const room of this.rooms.values()) {
      this.cancelUnload(room);
      this.destroy(room);
    }
    this.rooms.clear();
  }

  private destroy(room: Room): void {
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
