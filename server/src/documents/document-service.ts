/**
 * Server-side document operations behind the HTTP API. Every read and write goes through the
 * RoomRegistry (withRoom), so a document that editors have open is the very room they are in:
 * an API write is applied with origin `{kind: 'api', actor}` (room/change-origin.ts), which
 * stores it before anyone sees it, relays it to the room's peers and publishes it on the bus,
 * exactly like a keystroke. Nobody is disconnected by a write. A room the API loaded unloads
 * after the usual grace period once nobody holds it.
 *
 * "Exists" means: the store holds content under the name (whoever wrote it, an API create or a
 * WebSocket client that typed) and the name carries no tombstone. A deleted document keeps its
 * content, restorable, until the purge after the retention period (tombstone-purge.ts); its
 * open sessions are closed with 4410 and every later upgrade answers 410 (transport/upgrade.ts).
 */
import * as Y from 'yjs';
import { CloseCode, renamedReason } from '@quire/shared';
import type { UpdateGuard } from '../guards/update-guard.js';
import type { Logger } from '../log.js';
import type { Room } from '../room/room.js';
import type { RoomRegistry } from '../room/room-registry.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { DocumentLifecycle } from '../storage/lifecycle.js';
import type { DocumentEvents } from '../webhooks/webhooks.js';
import { titleOfText } from './document-title.js';
import { editorText, initialUpdate, textEditUpdate } from './editor-text.js';

export interface DocumentServiceOptions {
  rooms: RoomRegistry;
  storage: StorageAdapter;
  /** The socket updates' guard (guards/update-guard.ts): API updates pass the same checks. */
  guard: UpdateGuard;
  log: Logger;
  maxDocumentBytes: number;
  /** How long a deleted document can be restored. */
  deletedRetentionMs: number;
  /** Milliseconds since the epoch; injectable for tests. Default Date.now. */
  now?: () => number;
  /** Runs before an API write changes an existing document, with its room: version history
   * saves the state the write replaces (kind 'api'). A rejection refuses the write (it throws
   * to the caller). Default: none. */
  beforeWrite?(room: Room, actor?: string): Promise<unknown>;
  /** Webhooks: told of a create, delete, rename or restore in the turn it is started, and of
   * a purge once it is done (webhooks/webhooks.ts). Default: none. */
  events?: DocumentEvents;
}

/** What a write did, or why it was refused (nothing changed then). */
export type WriteResult =
  { ok: true; changed: boolean } | { ok: false; status: 400 | 404 | 413 | 501; reason: string };

const NOT_FOUND = { ok: false, status: 404, reason: 'no such document' } as const;

export class DocumentService {
  private readonly now: () => number;

  constructor(private readonly options: DocumentServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The storage's create/tombstone support, or null (the routes then answer 501). */
  get lifecycle(): DocumentLifecycle | null {
    return this.options.storage.lifecycle ?? null;
  }

  get retentionMs(): number {
    return this.options.deletedRetentionMs;
  }

  async exists(name: string): Promise<boolean> {
    return (await this.stored(name)) && !(await this.isDeleted(name));
  }

  async isDeleted(name: string): Promise<boolean> {
    return (await this.deletedAmong([name])).has(name);
  }

  /** Which of `names` are deleted (one storage call). */
  async deletedAmong(names: readonly string[]): Promise<Set<string>> {
    const lifecycle = this.lifecycle;
    if (!lifecycle || names.length === 0) return new Set();
    return new Set((await lifecycle.deletedAt(names)).keys());
  }

  /** When each of `names` that is deleted was deleted (one storage call). */
  async deletedTimes(names: readonly string[]): Promise<Map<string, number>> {
    const lifecycle = this.lifecycle;
    if (!lifecycle || names.length === 0) return new Map();
    return lifecycle.deletedAt(names);
  }

  /** Creates `name` with `text` as its editor text, exactly once (see DocumentLifecycle). */
  async create(
    name: string,
    text: string,
    actor?: string,
  ): Promise<'created' | 'exists' | 'too-large' | 'unsupported'> {
    const lifecycle = this.lifecycle;
    if (!lifecycle) return 'unsupported';
    const update = initialUpdate(text);
    if (update.length > this.options.maxDocumentBytes) return 'too-large';
    // A rename away leaves a tombstone without content: the name is free for a new document.
    if ((await this.isDeleted(name)) && !(await this.stored(name))) {
      await lifecycle.unmarkDeleted(name);
    }
    const event = this.options.events?.creating(name, text, actor);
    const created = await lifecycle.create(name, update).catch((error: unknown) => {
      event?.cancel();
      throw error;
    });
    if (!created) {
      event?.cancel();
      return 'exists';
    }
    event?.confirm();
    // The list shows the title at once (typing updates it later: document-titles.ts).
    await this.options.storage.catalog?.setTitle(name, titleOfText(text));
    // A room may be loaded already (an editor opened the name before anything was stored): it
    // does not read storage again, so it gets the text as an API change. Applied to a room
    // loaded just now, from the stored text, the update changes nothing and is not stored again.
    await this.options.rooms.withRoom(name, (room) => room.apply(update, { kind: 'api', actor }));
    this.options.log.info('document created', { doc: name, actor, bytes: update.length });
    return 'created';
  }

  /** Runs `fn` on the document's room; null when the document does not exist. */
  async read<T>(name: string, fn: (room: Room) => T): Promise<T | null> {
    if (!(await this.exists(name))) return null;
    return this.options.rooms.withRoom(name, fn);
  }

  readText(name: string): Promise<string | null> {
    return this.read(name, (room) => editorText(room.doc));
  }

  /** The whole document as one Yjs update. */
  readUpdate(name: string): Promise<Uint8Array | null> {
    return this.read(name, (room) => Y.encodeStateAsUpdate(room.doc));
  }

  /** Makes the editor text equal to `text` by a minimal forward edit (editor-text.ts). */
  async replaceText(name: string, text: string, actor?: string): Promise<WriteResult> {
    if (!(await this.exists(name))) return NOT_FOUND;
    return this.options.rooms.withRoom(name, async (room) => {
      if (editorText(room.doc) !== text) await this.options.beforeWrite?.(room, actor);
      const update = textEditUpdate(room.doc, text);
      if (update === null) return { ok: true, changed: false } as const;
      return this.applyChecked(room, update, actor);
    });
  }

  /** Applies a Yjs update from an API caller, under the socket updates' guard. */
  async applyUpdate(name: string, update: Uint8Array, actor?: string): Promise<WriteResult> {
    if (!(await this.exists(name))) return NOT_FOUND;
    return this.options.rooms.withRoom(name, async (room) => {
      // A refused update costs nothing: no version is saved for it.
      if (this.options.guard.check(room.doc, update, false).ok) {
        await this.options.beforeWrite?.(room, actor);
      }
      return this.applyChecked(room, update, actor);
    });
  }

  /** Deletes with a tombstone: sessions closed with 4410, the room dropped unsaved. */
  async delete(name: string, actor?: string): Promise<'deleted' | 'not-found' | 'unsupported'> {
    const lifecycle = this.lifecycle;
    if (!lifecycle) return 'unsupported';
    const event = this.options.events?.deleting(name, actor);
    const marked = await lifecycle.markDeleted(name, this.now()).catch((error: unknown) => {
      event?.cancel();
      throw error;
    });
    if (!marked) {
      event?.cancel();
      return 'not-found';
    }
    event?.confirm();
    await this.options.rooms.evict(name, CloseCode.Gone, 'document deleted');
    this.options.log.info('document deleted', { doc: name, actor });
    return 'deleted';
  }

  /**
   * Renames atomically in the store (catalog.ts: content, title and versions move, the old
   * name gets a tombstone). What editors of a loaded room acknowledged is stored first; then
   * its sessions are closed with 4410 and a reason naming the new name (renamedReason), and
   * the room is dropped. Instances sharing the store close theirs within the deleted-room
   * sweep, as for a delete, with the same reason (catalog renamedTo). An API create of the
   * old name later lifts its content-less tombstone (create).
   */
  async rename(
    from: string,
    to: string,
    actor?: string,
  ): Promise<'renamed' | 'not-found' | 'exists' | 'unsupported'> {
    const catalog = this.options.storage.catalog;
    if (!catalog || !this.lifecycle) return 'unsupported';
    if (!(await this.exists(from))) return 'not-found';
    const { rooms } = this.options;
    if (rooms.loadedNames().includes(from)) await rooms.withRoom(from, (room) => room.flush());
    const event = this.options.events?.renaming(from, to, actor);
    const result = await catalog.rename(from, to, this.now()).catch((error: unknown) => {
      event?.cancel();
      throw error;
    });
    if (result !== 'renamed') {
      event?.cancel();
      return result;
    }
    event?.confirm();
    await rooms.evict(from, CloseCode.Gone, renamedReason(to));
    this.options.log.info('document renamed', { doc: from, to, actor });
    return 'renamed';
  }

  /** Drops the loaded rooms of documents deleted elsewhere (another instance on the same
   * store): their sessions are closed with 4410 as on the deleting instance. One storage call
   * for every loaded room. Returns the names. */
  async evictDeletedRooms(): Promise<string[]> {
    const deleted = [...(await this.deletedAmong(this.options.rooms.loadedNames()))];
    // A rename on another instance: its sessions here are told the new name too.
    const renamed =
      deleted.length > 0 ? await this.options.storage.catalog?.renamedTo(deleted) : null;
    for (const name of deleted) {
      const to = renamed?.get(name);
      await this.options.rooms.evict(
        name,
        CloseCode.Gone,
        to === undefined ? 'document deleted' : renamedReason(to),
      );
      this.options.log.info(
        to === undefined
          ? 'closed a document deleted on another instance'
          : 'closed a document renamed on another instance',
        { doc: name, ...(to === undefined ? {} : { to }) },
      );
    }
    return deleted;
  }

  /** Lifts the tombstone of a document deleted within the retention period. */
  async restoreDeleted(
    name: string,
    actor?: string,
  ): Promise<'restored' | 'not-found' | 'unsupported'> {
    const lifecycle = this.lifecycle;
    if (!lifecycle) return 'unsupported';
    const deletedAt = (await lifecycle.deletedAt([name])).get(name);
    // Past the retention period it waits for the purge: restoring it then would race the purge.
    if (deletedAt === undefined || deletedAt < this.now() - this.retentionMs) return 'not-found';
    // A rename away from the name leaves a tombstone without content: nothing to restore.
    if (!(await this.stored(name))) return 'not-found';
    const event = this.options.events?.restoring(name, actor);
    const unmarked = await lifecycle.unmarkDeleted(name).catch((error: unknown) => {
      event?.cancel();
      throw error;
    });
    if (!unmarked) {
      event?.cancel();
      return 'not-found';
    }
    event?.confirm();
    this.options.log.info('deleted document restored', { doc: name, actor });
    return 'restored';
  }

  /** Removes every document deleted longer ago than the retention period; returns them. */
  async purgeExpired(batch = 100): Promise<string[]> {
    const lifecycle = this.lifecycle;
    if (!lifecycle) return [];
    const purged: string[] = [];
    for (;;) {
      const names = await lifecycle.purgeDeleted(this.now() - this.retentionMs, batch);
      this.options.events?.purged(names);
      purged.push(...names);
      if (names.length < batch) return purged;
    }
  }

  private applyChecked(room: Room, update: Uint8Array, actor?: string): WriteResult {
    const verdict = this.options.guard.check(room.doc, update, false);
    if (!verdict.ok) {
      if ('missing' in verdict) {
        return {
          ok: false,
          status: 400,
          reason: 'the update builds on content the document lacks',
        };
      }
      return {
        ok: false,
        status: verdict.code === CloseCode.TooLarge ? 413 : 400,
        reason: verdict.reason,
      };
    }
    const result = room.apply(update, { kind: 'api', actor });
    if (result === 'refused') return { ok: false, status: 400, reason: 'malformed update' };
    return { ok: true, changed: result === 'changed' };
  }

  /** Whether the store holds anything under `name`: the first name-ordered entry with `name` as
   * prefix is `name` itself when it exists (no other name with that prefix sorts before it). */
  private async stored(name: string): Promise<boolean> {
    const [first] = await this.options.storage.list({ prefix: name, limit: 1, order: 'name' });
    return first?.name === name;
  }
}
