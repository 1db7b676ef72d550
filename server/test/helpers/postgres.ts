/**
 * A private database on the machine's PostgreSQL server for one test file: created under a random
 * name, dropped afterwards. The server itself is shared and never stopped or reconfigured here.
 * Tests that need it fail (never skip) when it is not running, with the command that starts it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** An administrative connection (one that may create databases). */
const ADMIN_URL =
  process.env.QUIRE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const START_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect 15 main start';

export interface TestDatabase {
  name: string;
  /** A connection string for the new database. */
  url: string;
  /** Runs one statement in the database on a connection of its own. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Ends every connection still open on the database and drops it. */
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof AggregateError ? error.errors[0] : error;
    throw new Error(
      `PostgreSQL is not reachable at ${client.host}:${client.port} (${String(reason)}). ` +
        `These tests need it: start it with \`${START_COMMAND}\` ` +
        '(or point QUIRE_TEST_POSTGRES_URL at another server).',
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `quire_test_${randomBytes(6).toString('hex')}`;
  // template0 with UTF8, whatever the server's default template holds.
  await withAdmin((admin) =>
    admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`),
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return (await client.query<R>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () =>
      withAdmin(async (admin) => {
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
  };
}
