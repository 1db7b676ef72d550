import { SqliteStorage } from '../../src/index.js';
import { tempDir } from '../helpers/server.js';
import { describeStorageAdapter } from './adapter-acceptance.js';

describeStorageAdapter('sqlite', {
  create: async () => {
    const dir = tempDir();
    return {
      adapter: new SqliteStorage({ dataDir: dir.path }),
      reopen: async () => new SqliteStorage({ dataDir: dir.path }),
      // A second connection on the same file, as a second process would open it.
      secondWriter: async () => new SqliteStorage({ dataDir: dir.path }),
      cleanup: async () => dir.remove(),
    };
  },
});
