import { MemoryStorage } from '../../src/index.js';
import { describeStorageAdapter } from './adapter-acceptance.js';

describeStorageAdapter('memory', {
  create: async () => ({ adapter: new MemoryStorage(), cleanup: async () => {} }),
});
