/** The VersionStore contract on every built-in adapter: memory, SQLite, PostgreSQL (a private
 * database for this file, a fresh schema per case). */
import { afterAll, beforeAll } from 'vitest';
import { MemoryStorage, SqliteStorage } from '../../src/index.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/server.js';
import { describeVersionStore } from './version-store-acceptance.js';

describeVersionStore(
  'memory',
  {
    create: async () => {
      const adapter = new MemoryStorage();
      // The second handle is the same object (one process, one store).
      return { adapter, secondWriter: async () => adapter, cleanup: async () => {} };
    },
  },
  { persistent: false },
);

describeVersionStore(
  'sqlite',
  {
    create: async () => {
      const dir = tempDir();
      return {
        adapter: new SqliteStorage({ dataDir: dir.path }),
        reopen: async () => new SqliteStorage({ dataDir: dir.path }),
        secondWriter: async () => new SqliteStorage({ dataDir: dir.path }),
        cleanup: async () => dir.remove(),
      };
    },
  },
  { persistent: true },
);

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
let schemas = 0;

describeVersionStore(
  'postgres',
  {
    create: async () => {
      if (!db) throw new Error('the test database was not created (see the beforeAll error)');
      const url = db.url;
      const schema = `versions_${++schemas}`;
      const opened: PostgresStorage[] = [];
      const open = () => {
        const store = new PostgresStorage({ connectionString: url, schema });
        opened.push(store);
        return store;
      };
      return {
        adapter: open(),
        reopen: async () => open(),
        secondWriter: async () => open(),
        cleanup: async () => {
          await Promise.all(opened.map((s) => s.close()));
        },
      };
    },
  },
  { persistent: true },
);
