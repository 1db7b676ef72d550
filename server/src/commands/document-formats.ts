/**
 * What "the documents" are to `export` and `import`, whether they are reached through a
 * running server's HTTP API or read from a data directory directly (document-access.ts picks
 * one), so the commands say what they do once and work against either.
 *
 * Formats: `text` is the editor text (the Y.Text "codemirror", what GET/PUT /api/docs/<name>/text
 * serve) as UTF-8; `yjs` is the whole document as one Yjs V1 update (GET/POST .../update), every
 * shared type included.
 */
import * as Y from 'yjs';
import { UpdateGuard } from '../guards/update-guard.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../limits.js';
import { CommandFailure } from './command-line.js';
import type { CreateResult } from './server-client.js';

export type DocFormat = 'text' | 'yjs';
export const DOC_FORMATS: readonly DocFormat[] = ['text', 'yjs'];

/** What an import seeds a document with. */
export type DocContent = { format: 'text'; text: string } | { format: 'yjs'; update: Uint8Array };

export interface DocumentAccess {
  /** Every existing (not deleted) document the caller may read. */
  names(): AsyncIterable<string>;
  /** The document in `format`, or null when it does not exist (or is deleted). */
  read(name: string, format: DocFormat): Promise<Uint8Array | null>;
  /** Creates the document exactly once, as POST /api/docs does: 'exists' changes nothing. */
  create(name: string, content: DocContent): Promise<CreateResult>;
  close(): Promise<void>;
}

/** Refuses a Yjs update that is not a whole document state (it must decode, depend on nothing
 * else, and stay under the document size limit), with the socket updates' own guard. */
export function checkDocumentState(update: Uint8Array): void {
  const doc = new Y.Doc();
  try {
    const verdict = new UpdateGuard(DEFAULT_MAX_DOCUMENT_BYTES).check(doc, update, false);
    if (!verdict.ok) {
      throw new CommandFailure(
        `the file is not a whole Yjs document state (${verdict.reason}); ` +
          'export one with `quire-server export --format yjs`',
      );
    }
  } finally {
    doc.destroy();
  }
}
