/**
 * PostgreSQL outages for tests, without touching the machine's shared server: a fault proxy
 * (chaos/fault-proxy.ts) on a free port of 127.0.0.1 in front of it, and a connection string
 * through the proxy to a test database (helpers/postgres.ts). Two kinds of outage:
 *   - `down()`: as if PostgreSQL stopped: every open connection is reset, and new ones are reset
 *     as soon as they open (the proxy forwards to a port where nothing listens);
 *   - `stall()`: as if it froze (or the network became a black hole): connections stay open and
 *     new ones are accepted, but no byte moves either way, so only timeouts notice.
 * `restore()` ends either; the server never noticed anything.
 */
import net from 'node:net';
import { FaultProxy } from '../chaos/fault-proxy.js';

export interface PostgresFault {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  readonly url: string;
  readonly proxy: FaultProxy;
  /** Resets every connection and every new one until `restore`. */
  down(): Promise<void>;
  /** Freezes every connection, open or new, until `restore`. */
  stall(): void;
  /** Back to a clean link to the real server. */
  restore(): void;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** A proxy in front of the PostgreSQL server `databaseUrl` names (on 127.0.0.1). */
export async function startPostgresFault(databaseUrl: string): Promise<PostgresFault> {
  const target = new URL(databaseUrl);
  const realPort = Number(target.port || 5432);
  const proxy = await FaultProxy.start(realPort);
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return {
    url: url.toString(),
    proxy,
    async down() {
      proxy.targetPort = await closedPort();
      await proxy.resetAll();
    },
    stall() {
      proxy.stall();
    },
    restore() {
      proxy.targetPort = realPort;
      proxy.heal();
    },
    close: () => proxy.close(),
  };
}

/** A port of 127.0.0.1 nothing listens on (just released by the OS's choice). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
