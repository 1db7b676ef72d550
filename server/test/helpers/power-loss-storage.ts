/**
 * Power-loss simulation at the adapter level (in the spirit of SQLite's test6 crash VFS): every
 * write is journaled; `sync()` marks the journal so far durable. `survivor()` builds the store a
 * machine would find after losing power now: every synced write, plus a random prefix of the
 * unsynced ones (a WAL recovers a prefix of its commits; the rest is lost). Use it to check that
 * nothing acknowledged as saved depends on an unsynced write.
 */
import { MemoryStorage, type CompactionCover, type StorageAdapter } from '../../src/index.js';

type Op =
  | { kind: 'append'; name: string; update: Uint8Array }
  | { kind: 'compact'; name: string; snapshot: Uint8Array; cover: CompactionCover }
  | { kind: 'delete'; name: string };

export class PowerLossStorage extends MemoryStorage {
  private readonly journal: Op[] = [];
  private synced = 0;

  override async append(name: string, update: Uint8Array): Promise<number> {
    const seq = await super.append(name, update);
    this.journal.push({ kind: 'append', name, update: update.slice() });
    return seq;
  }

  override async compact(
    name: string,
    snapshot: Uint8Array,
    cover: CompactionCover,
  ): Promise<boolean> {
    const done = await super.compact(name, snapshot, cover);
    if (done) this.journal.push({ kind: 'compact', name, snapshot: snapshot.slice(), cover });
    return done;
  }

  override async delete(name: string): Promise<void> {
    await super.delete(name);
    this.journal.push({ kind: 'delete', name });
  }

  override async sync(): Promise<void> {
    await super.sync();
    this.synced = this.journal.length;
  }

  /** Writes made since the last sync. */
  get unsyncedWrites(): number {
    return this.journal.length - this.synced;
  }

  /** The store after a power loss now, keeping `keepUnsynced` (default: random) unsynced writes. */
  async survivor(keepUnsynced?: number): Promise<StorageAdapter> {
    const pending = this.journal.length - this.synced;
    const kept = keepUnsynced ?? Math.floor(Math.random() * (pending + 1));
    const store = new MemoryStorage();
    // Replaying in order gives every append the same sequence number it had.
    for (const op of this.journal.slice(0, this.synced + Math.min(kept, pending))) {
      if (op.kind === 'append') await store.append(op.name, op.update);
      else if (op.kind === 'compact') await store.compact(op.name, op.snapshot, op.cover);
      else await store.delete(op.name);
    }
    return store;
  }
}
