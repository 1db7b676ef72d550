/**
 * Per-test cleanup: temp data directories, stock clients and child servers created through a
 * scope are removed after each test of the `describe` block that called `testScope()`.
 */
import { afterEach } from 'vitest';
import { stockClient, type StockClient } from './clients.js';
import { spawnServer, tempDir, type ServerProcess } from './server.js';

export interface TestScope {
  /** A fresh temporary directory, removed after the test. */
  dataDir(): string;
  /** A stock y-websocket client, destroyed after the test. */
  client(serverUrl: string, doc: string): StockClient;
  /** The built CLI as a child process on a free port, SIGKILLed after the test. */
  spawn(dataDir: string): Promise<ServerProcess>;
}

export function testScope(): TestScope {
  const dirs: ReturnType<typeof tempDir>[] = [];
  const clients: StockClient[] = [];
  const processes: ServerProcess[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const p of processes.splice(0)) p.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) d.remove();
  });
  return {
    dataDir() {
      const d = tempDir();
      dirs.push(d);
      return d.path;
    },
    client(serverUrl, doc) {
      const c = stockClient(serverUrl, doc);
      clients.push(c);
      return c;
    },
    async spawn(dataDir) {
      const p = await spawnServer(['--port', '0', '--data', dataDir]);
      processes.push(p);
      return p;
    },
  };
}
