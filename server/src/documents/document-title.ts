/**
 * The title of a Yjs document (its editor text's first heading or line: titleOfText in
 * @quire/shared), read without building the whole text.
 */
import * as Y from 'yjs';
import { TITLE_SCAN_CHARS, titleOfText } from '@quire/shared';
import { EDITOR_TEXT_NAME } from './editor-text.js';

export { TITLE_MAX_CHARS, TITLE_SCAN_CHARS, titleOfText } from '@quire/shared';

/** The title of a Yjs document's editor text, reading only its first TITLE_SCAN_CHARS. */
export function titleOfDoc(doc: Y.Doc): string | null {
  return titleOfText(textStart(doc.getText(EDITOR_TEXT_NAME), TITLE_SCAN_CHARS));
}

/** The first `limit` characters of a Y.Text without building the whole string: its items are
 * walked from the start until enough visible text is collected. */
function textStart(text: Y.Text, limit: number): string {
  let out = '';
  for (let item = text._start; item !== null && out.length < limit; item = item.right) {
    if (!item.deleted && item.content instanceof Y.ContentString) out += item.content.str;
  }
  return out.slice(0, limit);
}
