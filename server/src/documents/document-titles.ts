/**
 * Keeps each document's title (document-title.ts) in the store beside its content
 * (StorageAdapter.catalog), so the document list shows and searches titles without loading
 * any document. Told of every change to a loaded room (RoomRegistry's observers):
 * - typing (changes from connections) is debounced: the title is recomputed TITLE_DEBOUNCE_MS
 *   after the last keystroke, and written only when it differs from the one last written;
 * - an API write or a version restore is one change, so its title is written at once;
 * - changes heard on the bus are left to the instance that stored them;
 * - when the last editor leaves or the room unloads, a pending title is written at once.
 * A title write that fails is logged and retried with the next change; it never holds up
 * editing. Documents stored before titles existed get theirs on their next change.
 */
import { errorMessage, type Logger } from '../log.js';
import type { ChangeOrigin } from '../room/change-origin.js';
import type { DocumentCatalog } from '../storage/catalog.js';
import type { VersionedRoom } from '../history/version-policy.js';
import { titleOfDoc } from './document-title.js';

/** Quiet time after the last keystroke before the title is recomputed. */
export const TITLE_DEBOUNCE_MS = 2_000;

export interface DocumentTitlesOptions {
  catalog: DocumentCatalog;
  log: Logger;
  /** Default TITLE_DEBOUNCE_MS. */
  debounceMs?: number;
}

/** A pending title write: its timer, and when it is due (a keystroke moves `dueAt` later; the
 * timer, when it fires early, waits out the rest instead of being replaced per keystroke). */
interface PendingTitle {
  timer: NodeJS.Timeout;
  dueAt: number;
}

export class DocumentTitles {
  private readonly timers = new Map<VersionedRoom, PendingTitle>();
  /** The title last written per loaded document: an unchanged title is not written again. */
  private readonly written = new Map<string, string | null>();
  private readonly debounceMs: number;

  constructor(private readonly options: DocumentTitlesOptions) {
    this.debounceMs = options.debounceMs ?? TITLE_DEBOUNCE_MS;
  }

  changed(room: VersionedRoom, origin: ChangeOrigin): void {
    if (origin.kind === 'bus') return;
    this.schedule(room, origin.kind === 'connection' ? this.debounceMs : 0);
  }

  emptied(room: VersionedRoom): void {
    if (this.timers.has(room)) this.writeNow(room);
  }

  unloaded(room: VersionedRoom): void {
    if (this.timers.has(room)) this.writeNow(room);
    this.written.delete(room.name);
  }

  /** A deleted or renamed document: nothing more is written for it. */
  forget(room: VersionedRoom): void {
    clearTimeout(this.timers.get(room)?.timer);
    this.timers.delete(room);
    this.written.delete(room.name);
  }

  /** Stops every pending write (server shutdown flushes rooms first, which writes them). */
  close(): void {
    for (const pending of this.timers.values()) clearTimeout(pending.timer);
    this.timers.clear();
  }

  /** Every keystroke calls this: it only moves the due time of a pending write (a new timer per
   * keystroke cost more than the rest of the title bookkeeping together). */
  private schedule(room: VersionedRoom, delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    const pending = this.timers.get(room);
    if (pending && delayMs > 0 && pending.dueAt <= dueAt) {
      pending.dueAt = dueAt;
      return;
    }
    if (pending) clearTimeout(pending.timer);
    this.arm(room, dueAt);
  }

  private arm(room: VersionedRoom, dueAt: number): void {
    const timer = setTimeout(
      () => {
        const pending = this.timers.get(room);
        if (pending?.timer !== timer) return;
        if (pending.dueAt > Date.now()) this.arm(room, pending.dueAt);
        else this.writeNow(room);
      },
      Math.max(0, dueAt - Date.now()),
    );
    timer.unref();
    this.timers.set(room, { timer, dueAt });
  }

  private writeNow(room: VersionedRoom): void {
    clearTimeout(this.timers.get(room)?.timer);
    this.timers.delete(room);
    // Read while the room's document is alive: an unloading room is destroyed right after.
    const title = titleOfDoc(room.doc);
    const name = room.name;
    if (this.written.has(name) && this.written.get(name) === title) return;
    this.written.set(name, title);
    this.options.catalog.setTitle(name, title).catch((error: unknown) => {
      this.written.delete(name);
      this.options.log.warn('saving a document title failed', {
        doc: name,
        error: errorMessage(error),
      });
    });
  }
}

type RoomObserver = Pick<DocumentTitles, 'changed' | 'emptied' | 'unloaded' | 'forget'>;

/** One observer for RoomRegistry's `history` slot that tells each of `observers` in turn. */
export function roomObservers(...observers: (RoomObserver | null)[]): RoomObserver {
  const present = observers.filter((o): o is RoomObserver => o !== null);
  return {
    changed: (room, origin) => present.forEach((o) => o.changed(room, origin)),
    emptied: (room) => present.forEach((o) => o.emptied(room)),
    unloaded: (room) => present.forEach((o) => o.unloaded(room)),
    forget: (room) => present.forEach((o) => o.forget(room)),
  };
}
