/**
 * The documents of a data directory, opened directly with the server's own SqliteStorage and
 * DocumentStore, so this reads and writes exactly the format the server does.
 *
 * Reading is safe while a server runs: SQLite's WAL lets a second process read a consistent
 * snapshot while the server goes on writing. Writing is not: a running server that has the
 * document loaded would never see a row written behind its back, and its editors would not get
 * it. So `write` first asks whether the store is open elsewhere (store-lock.ts) and refuses if so,
 * pointing to --server.
 */
import * as Y from 'yjs';
import { canonicalDocName } from '@quire/shared';
import { initialUpdate, editorText } from '../documents/editor-text.js';
import {
  DEFAULT_COMPACT_AFTER_BYTES,
  DEFAULT_COMPACT_AFTER_UPDATES,
  DEFAULT_MAX_DOCUMENT_BYTES,
} from '../limits.js';
import type { LogFields, Logger } from '../log.js';
import { Metrics } from '../metrics.js';
import { DocumentStore } from '../persistence/document-store.js';
import { listCursor } from '../storage/adapter.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { CommandFailure, type CommandIo } from './command-line.js';
import { checkDocumentState, type DocumentAccess } from './document-formats.js';
import { inUseMessage, probeStore, sqlitePath } from './store-lock.js';

/** Names read from the index per query while listing: bounds memory, not the total. */
const LIST_PAGE_SIZE = 1_000;

export async function openDataDir(
  dataDir: string,
  purpose: 'read' | 'write',
  io: CommandIo,
): Promise<DocumentAccess> {
  const state = probeStore(dataDir);
  if (state === 'absent' && purpose === 'read') {
    throw new CommandFailure(`no Quire store at ${sqlitePath(dataDir)}: check --data`);
  }
  if (state === 'in-use' && purpose === 'write') {
    throw new CommandFailure(
      inUseMessage(dataDir, 'Stop it first, or import through it with --server http://HOST:PORT.'),
    );
  }
  const storage = new SqliteStorage({ dataDir });
  // Only warnings and errors (damaged records), on stderr: stdout may be the export itself.
  const warn = (message: string, fields?: LogFields) =>
    io.stderr.write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  const log: Logger = { debug: () => {}, info: () => {}, warn, error: warn };
  const store = new DocumentStore(
    storage,
    {
      compactAfterUpdates: DEFAULT_COMPACT_AFTER_UPDATES,
      compactAfterBytes: DEFAULT_COMPACT_AFTER_BYTES,
    },
    log,
    new Metrics(),
  );
  const lifecycle = storage.lifecycle;
  const deleted = async (name: string) => (await lifecycle.deletedAt([name])).has(name);

  return {
    async *names() {
      let cursor: string | undefined;
      for (;;) {
        const page = await storage.list({ order: 'name', limit: LIST_PAGE_SIZE, cursor });
        const gone = await lifecycle.deletedAt(page.map((d) => d.name));
        for (const doc of page) if (!gone.has(doc.name)) yield doc.name;
        if (page.length < LIST_PAGE_SIZE) return;
        cursor = listCursor(page.at(-1)!, 'name');
      }
    },
    async read(name, format) {
      // load would build an empty document for a name never stored: ask the index first.
      if (!(await storage.headSeqs([name])).has(name) || (await deleted(name))) return null;
      const loaded = await store.load(name);
      try {
        return format === 'yjs'
          ? Y.encodeStateAsUpdate(loaded.doc)
          : Buffer.from(editorText(loaded.doc), 'utf8');
      } finally {
        loaded.doc.destroy();
      }
    },
    async create(name, content) {
      const update = content.format === 'text' ? initialUpdate(content.text) : content.update;
      if (content.format === 'yjs') checkDocumentState(update);
      else if (update.length > DEFAULT_MAX_DOCUMENT_BYTES) {
        throw new CommandFailure(
          `the text is over the document size limit (${DEFAULT_MAX_DOCUMENT_BYTES} bytes as Yjs state)`,
        );
      }
      return (await lifecycle.create(canonicalDocName(name), update)) ? 'created' : 'exists';
    },
    async close() {
      // Each load asks the group commit for an fsync (persistence/persisted-ack.ts): let any
      // round under way end before the file it syncs is closed.
      await store.flushCommits();
      store.close();
      await storage.close();
    },
  };
}
