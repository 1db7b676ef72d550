/**
 * The document API's "text": the Y.Text the editor binds to CodeMirror (client/src/editor.ts
 * TEXT_NAME; the server does not import the client, so the name is repeated here and a test
 * checks the two agree).
 */
import diff from 'fast-diff';
import * as Y from 'yjs';
import { boundedDiff } from '../history/text-diff.js';

export const EDITOR_TEXT_NAME = 'codemirror';

export function editorText(doc: Y.Doc): string {
  return doc.getText(EDITOR_TEXT_NAME).toString();
}

/**
 * The update that turns `doc`'s editor text into `target` as a minimal forward edit: a
 * character diff applied as deletes and inserts at their positions, so text around the edit
 * keeps its identity and people typing elsewhere keep their cursors and their keystrokes.
 * Positions are UTF-16 units, as both JavaScript strings and Y.Text count them; fast-diff keeps
 * surrogate pairs whole. The diff's cost is bounded (history/text-diff.ts): between very
 * different large texts it falls back to line-level, then block-level replacement, instead of
 * stalling the event loop. The edit is made on a copy of `doc` (the caller applies the returned
 * update to the real one with its change origin); null when the text is already `target`.
 */
export function textEditUpdate(doc: Y.Doc, target: string): Uint8Array | null {
  const current = editorText(doc);
  if (current === target) return null;
  const scratch = new Y.Doc();
  try {
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
    const text = scratch.getText(EDITOR_TEXT_NAME);
    let update: Uint8Array | null = null;
    scratch.on('update', (u: Uint8Array) => (update = u));
    scratch.transact(() => {
      let at = 0;
      for (const [op, part] of boundedDiff(current, target)) {
        if (op === diff.EQUAL) at += part.length;
        else if (op === diff.DELETE) text.delete(at, part.length);
        else {
          text.insert(at, part);
          at += part.length;
        }
      }
    });
    return update;
  } finally {
    scratch.destroy();
  }
}

/** A new document's first update: `text` as the editor text (empty text: an empty update). */
export function initialUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  try {
    if (text.length > 0) doc.getText(EDITOR_TEXT_NAME).insert(0, text);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
