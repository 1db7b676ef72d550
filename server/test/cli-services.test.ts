/**
 * `quire-server --database-url … --redis-url …`: documents in PostgreSQL, updates shared over
 * Redis. An instance that cannot reach either at startup names it, says how to fix it, and exits
 * non-zero; two instances given the same URLs serve the same documents.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnServer, tempDir, type ServerProcess } from './helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from './helpers/clients.js';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.js';

const CLI = fileURLToPath(new URL('../bin/quire-server.js', import.meta.url));
const REDIS_URL = 'redis://127.0.0.1:6379';

/** Runs the CLI to its exit (a startup that must fail). */
function runToExit(args: string[]) {
  const dir = tempDir();
  try {
    return spawnSync(process.execPath, [CLI, '--port', '0', '--data', dir.path, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
    });
  } finally {
    dir.remove();
  }
}

describe('quire-server on PostgreSQL and Redis', () => {
  it('names PostgreSQL and the fix, and exits non-zero, when the database cannot be reached', () => {
    const result = runToExit(['--database-url', 'postgres://postgres@127.0.0.1:1/quire']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1/);
    expect(result.stderr).toMatch(/--database-url/);
  });

  it('names Redis and the fix, and exits non-zero, when Redis cannot be reached', () => {
    const result = runToExit(['--redis-url', 'redis://127.0.0.1:1']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/cannot reach Redis at 127\.0\.0\.1:1/);
    expect(result.stderr).toMatch(/--redis-url/);
  });

  it('refuses URLs of the wrong form with exit 2 and the expected form', () => {
    const result = runToExit(['--database-url', 'mysql://x', '--redis-url', 'http://y']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/postgres:\/\/user@host:5432\/database/);
    expect(result.stderr).toMatch(/redis:\/\/host:6379/);
  });

  describe('two instances on one database and one Redis', () => {
    let db: TestDatabase;
    const servers: ServerProcess[] = [];
    const clients: StockClient[] = [];
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterEach(async () => {
      for (const c of clients.splice(0)) c.destroy();
      for (const s of servers.splice(0)) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    });
    afterAll(async () => {
      await db.drop();
    });

    const start = async () => {
      const dir = tempDir();
      const server = await spawnServer([
        '--port',
        '0',
        '--data',
        dir.path,
        '--database-url',
        db.url,
        '--redis-url',
        REDIS_URL,
        '--log-level',
        'error',
      ]);
      servers.push(server);
      void server.exited.then(() => dir.remove());
      return server;
    };
    const join = async (server: ServerProcess, doc: string) => {
      const client = stockClient(server.wsUrl, doc);
      clients.push(client);
      await waitSynced(client);
      return client;
    };

    it('serve the same documents: edits cross both ways, and a third instance loads them all from PostgreSQL', async () => {
      const doc = `shared-${Date.now()}`;
      const [a, b] = [await start(), await start()];
      const onA = await join(a, doc);
      const onB = await join(b, doc);
      onA.text.insert(0, 'from a. ');
      await waitFor(() => onB.text.toString() === 'from a. ', 10_000, 'a → b over Redis');
      onB.text.insert(onB.text.length, 'from b.');
      await waitFor(() => onA.text.toString() === 'from a. from b.', 10_000, 'b → a over Redis');
      const c = await start();
      const onC = await join(c, doc);
      expect(onC.text.toString()).toBe('from a. from b.');
    });
  });
});
