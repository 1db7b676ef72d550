/**
 * The shared services a `quire-server` instance may run on: PostgreSQL for documents instead of
 * SQLite (`--database-url`), Redis to share updates with other instances (`--redis-url`). At
 * startup each one given must answer, or the instance says which one failed and how to fix it,
 * and exits non-zero; later outages are the running server's business.
 */
import { Redis } from 'ioredis';
import { RedisBus } from './bus/redis.js';
import type { DocumentBus } from './bus/adapter.js';
import { errorMessage, type Logger } from './log.js';
import { PostgresStorage } from './storage/postgres.js';
import type { StorageAdapter } from './storage/adapter.js';

/** How long a startup check of PostgreSQL or Redis may take before the instance gives up. */
export const SERVICE_CHECK_TIMEOUT_MS = 10_000;

export interface ServiceUrls {
  databaseUrl?: string;
  redisUrl?: string;
}

export class ServiceError extends Error {}

/** Checks the URLs' form; returns the problems, for the CLI's usage errors (exit 2). */
export function serviceUrlProblems(urls: ServiceUrls): string[] {
  const problems: string[] = [];
  if (urls.databaseUrl !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(urls.databaseUrl)) {
    problems.push(
      '--database-url / QUIRE_DATABASE_URL must look like postgres://user@host:5432/database',
    );
  }
  if (urls.redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(urls.redisUrl)) {
    problems.push('--redis-url / QUIRE_REDIS_URL must look like redis://host:6379');
  }
  return problems;
}

/** Connects what was asked for; rejects with a ServiceError that names the service and the fix. */
export async function connectServices(
  urls: ServiceUrls,
  log: Logger,
): Promise<{ storage?: StorageAdapter; bus?: DocumentBus }> {
  const services: { storage?: StorageAdapter; bus?: DocumentBus } = {};
  if (urls.databaseUrl !== undefined) {
    const storage = new PostgresStorage({ connectionString: urls.databaseUrl });
    try {
      await withTimeout(storage.ready(), 'PostgreSQL');
    } catch (error) {
      await storage.close().catch(() => {});
      throw new ServiceError(
        `${errorMessage(error)}\nStart PostgreSQL or fix --database-url / QUIRE_DATABASE_URL.`,
      );
    }
    services.storage = storage;
  }
  if (urls.redisUrl !== undefined) {
    try {
      await withTimeout(ping(urls.redisUrl), 'Redis');
    } catch (error) {
      await services.storage?.close().catch(() => {});
      throw new ServiceError(
        `cannot reach Redis at ${redisHost(urls.redisUrl)}: ${errorMessage(error)}\n` +
          'Start Redis or fix --redis-url / QUIRE_REDIS_URL.',
      );
    }
    services.bus = new RedisBus({ url: urls.redisUrl, logger: log });
  }
  return services;
}

/** One PING on a connection of its own that does not retry. */
async function ping(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // reported through the rejected connect below
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

function withTimeout<T>(work: Promise<T>, service: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${service} did not answer within ${SERVICE_CHECK_TIMEOUT_MS} ms`)),
      SERVICE_CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** host:port of a Redis URL, never its password. */
function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the given URL';
  }
}
