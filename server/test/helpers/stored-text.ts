/** The text a stored document holds: its snapshot and logged updates applied to a fresh Y.Doc
 * (storage tests read what a load returns, not what a server serves). */
import * as Y from 'yjs';
import type { StoredDocument } from '../../src/index.js';

export function storedDocumentText(stored: StoredDocument | null, textName = 'text'): string {
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const u of stored?.updates ?? []) Y.applyUpdate(doc, u);
  return doc.getText(textName).toString();
}
