/**
 * Opens the documents a command's target names (document-formats.ts): a running server's HTTP
 * API (server-client.ts) or a data directory read directly (data-dir-access.ts).
 */
import { CommandUsageError, type CommandIo, type Target } from './command-line.js';
import { openDataDir } from './data-dir-access.js';
import { checkDocumentState, type DocumentAccess } from './document-formats.js';
import { ServerClient } from './server-client.js';

/** Opens the documents `target` names. `write`: refuse a data directory a server has open. */
export async function openDocumentAccess(
  target: Target,
  purpose: 'read' | 'write',
  io: CommandIo,
): Promise<DocumentAccess> {
  if (target.kind === 'server') return serverAccess(new ServerClient(target.url, target.token));
  if (target.kind === 'data') return openDataDir(target.dataDir, purpose, io);
  throw new CommandUsageError(
    'export and import do not open PostgreSQL directly (instances writing to it cannot be ' +
      'detected from here): go through any instance with --server http://HOST:PORT',
  );
}

function serverAccess(client: ServerClient): DocumentAccess {
  return {
    names: () => client.names(),
    async read(name, format) {
      if (format === 'yjs') return client.readUpdate(name);
      const text = await client.readText(name);
      return text === null ? null : Buffer.from(text, 'utf8');
    },
    async create(name, content) {
      if (content.format === 'text') return client.create(name, content.text);
      // The API creates with text only: create it empty (the create-once step), then apply the
      // state. A second import stops at the 409.
      checkDocumentState(content.update);
      if ((await client.create(name, '')) === 'exists') return 'exists';
      await client.applyUpdate(name, content.update);
      return 'created';
    },
    close: async () => {},
  };
}
