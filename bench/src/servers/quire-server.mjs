// Starts Quire through its library API with the defaults of `quire-server serve`, except the
// per-client-IP caps: every benchmark socket comes from 127.0.0.1, so the per-IP connection cap
// (500) would refuse the idle scenario and the per-IP new-documents-per-minute cap (120) could
// refuse a larger typing run. Durability is the default: SQLite WAL, every
// update committed before it is relayed. Like the CLI, it applies the heap profile (default lean)
// before the server's modules load (server/src/heap-profile.ts). Env: PORT, DATA,
// BENCH_QUIRE_STORAGE (sqlite, the default, or memory), and for the scale-out scenario
// BENCH_QUIRE_DATABASE_URL (documents in PostgreSQL instead) and BENCH_QUIRE_REDIS_URL with
// BENCH_QUIRE_REDIS_PREFIX (instances share updates and presence over Redis). SIGTERM
// flushes, like the CLI.
import { applyHeapProfile, isHeapProfile, requestedHeapProfile } from '@quire/server/heap-profile';

// QUIRE_HEAP_PROFILE=lean|small|v8 picks another profile, as it does for the CLI.
const heapProfile = requestedHeapProfile([], process.env);
if (!isHeapProfile(heapProfile)) throw new Error(`unknown QUIRE_HEAP_PROFILE "${heapProfile}"`);
applyHeapProfile(heapProfile);
const { createConsoleLogger, createQuireServer, MemoryStorage, PostgresStorage, RedisBus } =
  await import('@quire/server');

const storageKind = process.env.BENCH_QUIRE_STORAGE ?? 'sqlite';
if (storageKind !== 'sqlite' && storageKind !== 'memory') {
  throw new Error(`unknown BENCH_QUIRE_STORAGE "${storageKind}" (sqlite or memory)`);
}

/** Above the full run's 10,000 idle sockets plus the warm-up one. */
const BENCH_MAX_CONNECTIONS = 12_000;

const databaseUrl = process.env.BENCH_QUIRE_DATABASE_URL;
const redisUrl = process.env.BENCH_QUIRE_REDIS_URL;
const logger = createConsoleLogger('warn');
let storage = storageKind === 'memory' ? new MemoryStorage() : undefined;
if (databaseUrl) {
  storage = new PostgresStorage({ connectionString: databaseUrl });
  await storage.ready();
}
const bus = redisUrl
  ? new RedisBus({ url: redisUrl, keyPrefix: process.env.BENCH_QUIRE_REDIS_PREFIX, logger })
  : undefined;

const server = createQuireServer({
  port: Number(process.env.PORT ?? 1234),
  host: '127.0.0.1',
  dataDir: process.env.DATA ?? './data',
  logger,
  // BENCH_QUIRE_STORAGE=memory: no disk at all (ephemeral mode), to measure what durability costs.
  ...(storage ? { storage } : {}),
  ...(bus ? { bus } : {}),
  maxConnections: BENCH_MAX_CONNECTIONS,
  maxConnectionsPerIp: BENCH_MAX_CONNECTIONS,
  /** Every room of every scenario may be created within one minute. */
  maxNewDocumentsPerMinute: 100_000,
});
const address = await server.listen();
console.log(`Quire listening on ${address.url}`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
