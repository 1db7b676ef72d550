/**
 * Version history of one server's documents, as the API uses it: list, save on request, read a
 * version's text, compare two versions, restore one. Reads go to the version store; anything
 * that needs the live document goes through the RoomRegistry (withRoom), so a document editors
 * have open is the very room they are in.
 *
 * Restore is a forward edit, never a rewind: a version is saved first (kind 'restore': what the
 * restore replaces, so a restore can itself be undone), then the editor text of exactly that
 * saved state is made equal to the version's by a minimal character diff
 * (documents/editor-text.ts), applied with origin `{kind: 'restore', actor}`: stored before
 * anyone sees it, relayed, published, and merged by every client like a keystroke. Edits made
 * while the version was being written, and those of editors offline meanwhile (on reconnect),
 * are concurrent with it and merge.
 * Only the editor text (the Y.Text "codemirror") is restored; other shared types (maps, XML
 * fragments, other texts) keep their current content.
 *
 * A document that does not exist (never stored, or deleted) has no history to show: its
 * versions are kept while it can still be restored from deletion, and removed with it when it
 * is purged (retention.ts removes any left behind).
 */
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import { textEditUpdate } from '../documents/editor-text.js';
import type { UpdateGuard } from '../guards/update-guard.js';
import type { Room } from '../room/room.js';
import { boundedDiff, type DiffOp } from './text-diff.js';
import { decodeVersion, textOf } from './version-state.js';
import type { SaveOutcome, VersionPolicy } from './version-policy.js';
import type { VersionInfo, VersionListOptions, VersionStore } from './version-store.js';

export interface DocumentHistoryOptions {
  versions: VersionStore;
  policy: VersionPolicy;
  /** Whether a document exists (stored and not deleted): documents/document-service.ts. */
  exists(name: string): Promise<boolean>;
  /** Runs `fn` on the document's loaded room (room/room-registry.ts withRoom). */
  withRoom<T>(name: string, fn: (room: Room) => T | Promise<T>): Promise<T>;
  /** The socket updates' guard: a restore may not grow a document past its size limit. */
  guard: UpdateGuard;
}

export type HistoryResult<T> =
  { ok: true; value: T } | { ok: false; status: 404 | 413; reason: string };

export type { DiffOp } from './text-diff.js';

export interface RestoreOutcome {
  /** The version restored. */
  restored: number;
  /** The version saved first (the state the restore replaced); null when nothing was ever
   * written to the document. */
  savedBefore: number | null;
  /** False when the text already was the version's. */
  changed: boolean;
}

const NO_DOCUMENT = { ok: false, status: 404, reason: 'no such document' } as const;
const NO_VERSION = { ok: false, status: 404, reason: 'no such version' } as const;

export class DocumentHistory {
  constructor(private readonly options: DocumentHistoryOptions) {}

  async list(name: string, page: VersionListOptions = {}): Promise<HistoryResult<VersionInfo[]>> {
    if (!(await this.options.exists(name))) return NO_DOCUMENT;
    return { ok: true, value: await this.options.versions.list(name, page) };
  }

  /** Saves a version now (kind 'manual'); when nothing new is saved (version-policy.ts: an
   * unchanged document, without a label or with the newest version's), the answer is the newest
   * version (created: false). */
  async save(
    name: string,
    label: string | undefined,
    actor?: string,
  ): Promise<HistoryResult<{ id: number; created: boolean }>> {
    if (!(await this.options.exists(name))) return NO_DOCUMENT;
    const saved = await this.options.withRoom(name, (room) =>
      this.options.policy.saveNow(room, label, actor),
    );
    // saveNow always saves or finds one (null is only for automatic saves).
    if (saved === null) throw new Error('a save on request saved nothing');
    return { ok: true, value: saved };
  }

  /** A version's editor text. */
  async text(name: string, id: number): Promise<HistoryResult<string>> {
    if (!(await this.options.exists(name))) return NO_DOCUMENT;
    const text = await this.versionText(name, id);
    return text === null ? NO_VERSION : { ok: true, value: text };
  }

  /** The changes from version `id`'s text to `against`'s (another version, or the live text):
   * applied in order, the ops turn the first into the second. */
  async diff(
    name: string,
    id: number,
    against: number | 'current',
  ): Promise<HistoryResult<DiffOp[]>> {
    if (!(await this.options.exists(name))) return NO_DOCUMENT;
    const from = await this.versionText(name, id);
    if (from === null) return NO_VERSION;
    const to =
      against === 'current'
        ? await this.options.withRoom(name, (room) => textOf(room.doc))
        : await this.versionText(name, against);
    if (to === null) return { ok: false, status: 404, reason: 'no such version to compare with' };
    return { ok: true, value: boundedDiff(from, to) };
  }

  /** Makes the live editor text equal to version `id`'s, as a forward edit (see the top). */
  async restore(name: string, id: number, actor?: string): Promise<HistoryResult<RestoreOutcome>> {
    if (!(await this.options.exists(name))) return NO_DOCUMENT;
    const target = await this.versionText(name, id);
    if (target === null) return NO_VERSION;
    return this.options.withRoom(name, async (room): Promise<HistoryResult<RestoreOutcome>> => {
      // The state the version saved first holds (saveBefore captures it in this same tick).
      const base = Y.encodeStateAsUpdate(room.doc);
      const saved = await this.options.policy.saveBefore(room, 'restore', actor);
      const savedBefore = saved?.id ?? null;
      // The edit is made against that state, not the live one: whatever was typed while the
      // version was being written is concurrent with the restore and merges with it, like two
      // people typing, instead of being removed without being in any version.
      const update = restoreEdit(base, target);
      if (update === null) {
        return { ok: true, value: { restored: id, savedBefore, changed: false } };
      }
      const verdict = this.options.guard.check(room.doc, update, false);
      if (!verdict.ok) {
        const tooLarge = 'code' in verdict && verdict.code === CloseCode.TooLarge;
        if (tooLarge) {
          return { ok: false, status: 413, reason: 'the restored document would be too large' };
        }
        throw new Error(`a restore edit failed the update guard: ${JSON.stringify(verdict)}`);
      }
      const result = room.apply(update, { kind: 'restore', actor });
      if (result === 'refused') throw new Error('the document refused a restore edit');
      return { ok: true, value: { restored: id, savedBefore, changed: result === 'changed' } };
    });
  }

  /** Saves the state an API write is about to change (kind 'api'); for the document API. */
  saveBefore(room: Room, kind: 'api' | 'restore', actor?: string): Promise<SaveOutcome> {
    return this.options.policy.saveBefore(room, kind, actor);
  }

  private async versionText(name: string, id: number): Promise<string | null> {
    const version = await this.options.versions.get(name, id);
    if (!version) return null;
    let doc: Y.Doc;
    try {
      doc = await decodeVersion(version.state);
    } catch (error) {
      throw new Error(`version ${id} is damaged and cannot be read`, { cause: error });
    }
    try {
      return textOf(doc);
    } finally {
      doc.destroy();
    }
  }
}

/** The edit that turns the editor text of the document `base` encodes into `target` (null when
 * it already is), made on a copy of that document. */
function restoreEdit(base: Uint8Array, target: string): Uint8Array | null {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, base);
    return textEditUpdate(doc, target);
  } finally {
    doc.destroy();
  }
}
