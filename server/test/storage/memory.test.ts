import { MemoryStorage, type StorageAdapter } from '../../src/index.js';
import { describeStorageAdapter } from './adapter-acceptance.js';

describeStorageAdapter('memory', {
  create: async () => {
    const adapter = new MemoryStorage();
    // Two writers on one in-process store: the same object, whose second handle's close is a
    // no-op (the first handle owns it).
    const secondWriter = async (): Promise<StorageAdapter> => ({
      load: (name) => adapter.load(name),
      append: (name, update) => adapter.append(name, update),
      compact: (name, snapshot, cover) => adapter.compact(name, snapshot, cover),
      sync: () => adapter.sync(),
      list: (options) => adapter.list(options),
      delete: (name) => adapter.delete(name),
      lifecycle: adapter.lifecycle,
      catalog: adapter.catalog,
      close: async () => {},
    });
    return { adapter, secondWriter, cleanup: async () => {} };
  },
});
