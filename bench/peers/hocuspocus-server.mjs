// Starts @hocuspocus/server with its SQLite extension, configured like its documentation's
// example: default debounce (2 s, max 10 s) before a document is stored. Plain JavaScript so the
// measured process carries no TypeScript loader. Env: PORT, DATA (database directory).
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const dataDir = process.env.DATA ?? '.';
mkdirSync(dataDir, { recursive: true });
const server = new Server({
  port: Number(process.env.PORT ?? 1234),
  address: '127.0.0.1',
  quiet: true,
  extensions: [new SQLite({ database: join(dataDir, 'hocuspocus.sqlite') })],
});
await server.listen();
console.log(`Hocuspocus listening on ${server.address.port}`);
