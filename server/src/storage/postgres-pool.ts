/**
 * The connection pool of PostgresStorage: how connections are configured (numbers for bigint
 * columns, synchronous commit, a connect timeout), and borrowing one for a call with errors that
 * say which server could not be reached.
 */
import pg, { type PoolClient, type PoolConfig } from 'pg';

export interface PostgresPoolOptions {
  /** The most connections this instance holds open at once. Default 10. */
  max?: number;
  /** How long to wait for a new connection before failing, in ms. Default 10 000. */
  connectionTimeoutMs?: number;
  /** How long any query may go unanswered before it fails, in ms: a frozen server or link
   * otherwise holds a call (a document load, say) for as long as it lasts. Appends and probes
   * have their own, shorter bound (PostgresStorage's `unreachableAfterMs`). Default 30 000. */
  queryTimeoutMs?: number;
}

// bigint columns (seqs, milliseconds, sums of lengths) as numbers: all stay far below 2^53.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, Number);

// Turns synchronous commit on for a session only where the server has it off, so a stricter
// setting (remote_apply for a synchronous standby) is left as it is.
const SYNCHRONOUS_COMMIT = `SELECT set_config('synchronous_commit', 'on', false)
  WHERE current_setting('synchronous_commit') = 'off'`;

export class ConnectionPool {
  /** The server, as `host:port/database` (never the password). */
  readonly server: string;
  private readonly pool: pg.Pool;

  constructor(connectionString: string, options: PostgresPoolOptions = {}) {
    const config: PoolConfig = {
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      query_timeout: options.queryTimeoutMs ?? 30_000,
      application_name: 'quire',
      types,
    };
    // pg's own parsing of the connection string and environment (PGHOST, …); constructing a
    // Client opens nothing.
    const parsed = new pg.Client(config);
    this.server = `${parsed.host}:${parsed.port}/${parsed.database ?? ''}`;
    this.pool = new pg.Pool(config);
    // An idle connection that dies (server restart, terminated backend) is dropped by the pool
    // and the next call opens a fresh one; without a listener the pool's error would crash the
    // process. A failure during a call reaches that call's caller.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => {
      // Queued ahead of whatever the new connection runs first. Should it fail, so does that.
      void client.query(SYNCHRONOUS_COMMIT).catch(() => {});
    });
  }

  /** Runs `fn` on a pooled connection. After a failure the connection is discarded, not reused:
   * it may be broken or inside an aborted transaction (which the server then rolls back). */
  async run<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new Error(`cannot reach PostgreSQL at ${this.server}: ${reasonOf(error)}`, {
        cause: error,
      });
    }
    // While borrowed, the pool's own listener is off: a connection that dies between two queries
    // of a call (a server restart, a terminated backend) emits 'error' on the client, which
    // unheard would crash the process. The call's next query fails anyway, and the failure
    // discards the connection below.
    const onError = (): void => {};
    client.on('error', onError);
    try {
      const result = await fn(client);
      client.release();
      return result;
    } catch (error) {
      client.release(true);
      throw error;
    } finally {
      client.removeListener('error', onError);
    }
  }

  /** Closes every connection, waiting for borrowed ones to come back. */
  end(): Promise<void> {
    return this.pool.end();
  }
}

/** A connection error in one line. Connecting to a name with several addresses (localhost: ::1
 * and 127.0.0.1) fails with an AggregateError whose own message is empty. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(reasonOf).join('; ');
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
