/**
 * What a version holds and how it is read back. A version keeps the document's full Yjs state
 * (every shared type, so documents of any stock client — ProseMirror XML, maps — are kept whole),
 * zlib-compressed. The live document keeps garbage collection on: a version is a copy of its
 * state at one moment, never a Yjs snapshot inside the live document.
 *
 * "Unchanged" is decided by a hash of the document's Yjs snapshot (state vector + delete set),
 * not of the encoded update: the encoding of the same content may differ after a reload (Yjs
 * merges adjacent items differently), while the state vector and delete set name exactly which
 * insertions exist and which of them are deleted, so equal hashes mean equal content.
 *
 * Encoding happens synchronously when a version is captured (it must be that moment's state);
 * compression and decompression run on libuv's thread pool, off the event loop.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate, inflate } from 'node:zlib';
import * as Y from 'yjs';

const deflateAsync = promisify(deflate);
const inflateAsync = promisify(inflate);

/** The shared text the editor binds (client/src/editor.ts TEXT_NAME): what a version's text,
 * diffs and restores are about. */
export const TEXT_NAME = 'codemirror';

export interface CapturedState {
  /** The encoded state (uncompressed). */
  update: Uint8Array;
  stateHash: string;
  /** Nothing was ever written to the document. */
  empty: boolean;
}

/** The document's state now. */
export function captureState(doc: Y.Doc): CapturedState {
  const snapshot = Y.encodeSnapshot(Y.snapshot(doc));
  return {
    update: Y.encodeStateAsUpdate(doc),
    stateHash: createHash('sha256').update(snapshot).digest('hex'),
    empty: doc.store.clients.size === 0,
  };
}

export async function compressState(update: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await deflateAsync(update));
}

/** A version's document, rebuilt from its stored bytes. Throws when they are damaged (zlib's
 * checksum) or not a Yjs update. */
export async function decodeVersion(compressed: Uint8Array): Promise<Y.Doc> {
  const update = await inflateAsync(compressed);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

/** The editor's text in `doc` ('' when the document has none). */
export function textOf(doc: Y.Doc): string {
  return doc.getText(TEXT_NAME).toString();
}
