/**
 * PostgreSQL group commit, measured at the store (`node --import tsx bench/src/pg-group-commit.ts`
 * from the repository root): a typing-like load of appends straight into PostgresStorage, with
 * its group commit (the defaults), and the same load with one statement and one COMMIT per
 * append on a pool of the same size (the store's append before group commit, rebuilt here as
 * the baseline). No WebSocket, no Yjs work: what changes is only how appends reach PostgreSQL.
 *
 * Load: ROOMS documents × TYPISTS typists, each appending a keystroke-sized update
 * KEYS_PER_SECOND times a second with jitter, for MEASURE_MS after a warm-up. Reports commits per
 * second (pg_stat_database's xact_commit for the run's own database), appends per commit, and
 * append latency (call to resolve: what a room waits before relaying). Environment:
 * BENCH_POSTGRES_URL (a server URL without a database, default postgres://postgres@127.0.0.1:5432),
 * BENCH_ROOMS (50), BENCH_TYPISTS (2), BENCH_KEYS_PER_SECOND (8), BENCH_MEASURE_MS (10000), and
 * BENCH_WINDOW_MS / BENCH_MAX_IN_FLIGHT to add a group-commit run with other settings.
 *
 * It imports the server's source (through tsx), not its build, so it measures the working tree.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStorage } from '../../server/src/storage/postgres.js';
import { crc32 } from '../../server/src/storage/checksum.js';
import { percentile, sleep } from './stats.js';

const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const ROOMS = Number(process.env.BENCH_ROOMS ?? 50);
const TYPISTS = Number(process.env.BENCH_TYPISTS ?? 2);
const KEYS_PER_SECOND = Number(process.env.BENCH_KEYS_PER_SECOND ?? 8);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 10_000);
/** Also runs group commit with this window (BENCH_WINDOW_MS), to compare with the default. */
const WINDOW_MS = process.env.BENCH_WINDOW_MS ? Number(process.env.BENCH_WINDOW_MS) : undefined;
/** …and with this many transactions in flight at most (BENCH_MAX_IN_FLIGHT). */
const MAX_IN_FLIGHT = process.env.BENCH_MAX_IN_FLIGHT
  ? Number(process.env.BENCH_MAX_IN_FLIGHT)
  : undefined;
const WARMUP_MS = 1_000;
/** A typed character as a Yjs update is about this big. */
const UPDATE_BYTES = 24;

type Append = (name: string, update: Uint8Array) => Promise<number>;

interface Result {
  label: string;
  appends: number;
  commits: number;
  seconds: number;
  p50: number;
  p99: number;
}

function urlFor(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function xactCommits(database: string): Promise<number> {
  return admin(async (client) => {
    // Statistics reach the shared view when a backend reports them: ask for a fresh snapshot.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/** The typing load against `append`; resolves with every append's latency in the window. */
async function type(append: Append, measuring: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  const stopAt = Date.now() + WARMUP_MS + MEASURE_MS;
  const typist = async (room: number) => {
    const name = `room-${room}`;
    while (Date.now() < stopAt) {
      const update = randomBytes(UPDATE_BYTES);
      const started = performance.now();
      const counted = measuring();
      await append(name, update);
      if (counted) latencies.push(performance.now() - started);
      // Keystrokes are irregular: ±50 % around the mean interval.
      await sleep((1000 / KEYS_PER_SECOND) * (0.5 + Math.random()));
    }
  };
  const all: Promise<void>[] = [];
  for (let room = 0; room < ROOMS; room++) {
    for (let t = 0; t < TYPISTS; t++) all.push(typist(room));
  }
  await Promise.all(all);
  return latencies;
}

async function run(
  label: string,
  open: (url: string) => { append: Append; close(): Promise<void> },
) {
  const database = `quire_bench_gc_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${database} TEMPLATE template0`));
  try {
    const url = urlFor(database);
    // The tables come from the store itself, whatever the variant.
    const setup = new PostgresStorage({ connectionString: url });
    await setup.ready();
    await setup.close();
    const store = open(url);
    let measuring = false;
    let appends = 0;
    const counting: Append = async (name, update) => {
      const seq = await store.append(name, update);
      if (measuring) appends++;
      return seq;
    };
    let commitsAtStart = 0;
    let startedAt = 0;
    const load = type(counting, () => measuring);
    await sleep(WARMUP_MS);
    commitsAtStart = await xactCommits(database);
    startedAt = performance.now();
    measuring = true;
    await sleep(MEASURE_MS);
    measuring = false;
    const seconds = (performance.now() - startedAt) / 1000;
    const latencies = await load;
    await sleep(600); // let the last statistics reach pg_stat_database
    const commits = (await xactCommits(database)) - commitsAtStart;
    await store.close();
    return {
      label,
      appends,
      commits,
      seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    } satisfies Result;
  } finally {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

/** The store's append before group commit: one statement, one transaction, per append. */
function onePerAppend(url: string): { append: Append; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  const sql = `
    WITH bumped AS (
      INSERT INTO quire_documents AS d (name, last_seq, updated_at)
      VALUES ($1, 1, (floor(extract(epoch from clock_timestamp()) * 1000))::bigint)
      ON CONFLICT (name) DO UPDATE SET last_seq = d.last_seq + 1, updated_at = excluded.updated_at
      RETURNING last_seq, updated_at
    )
    INSERT INTO quire_updates (doc, seq, data, crc, created_at)
    SELECT $1, last_seq, $2, $3, updated_at FROM bumped
    RETURNING seq`;
  return {
    append: async (name, update) => {
      const data = Buffer.from(update);
      const { rows } = await pool.query<{ seq: string }>(sql, [name, data, crc32(data)]);
      return Number(rows[0]!.seq);
    },
    close: () => pool.end(),
  };
}

const results: Result[] = [];
results.push(await run('one transaction per append (before)', onePerAppend));
results.push(
  await run('group commit (defaults)', (url) => new PostgresStorage({ connectionString: url })),
);
if (WINDOW_MS !== undefined || MAX_IN_FLIGHT !== undefined) {
  const appendBatch = { windowMs: WINDOW_MS, maxInFlight: MAX_IN_FLIGHT };
  const label = `group commit, windowMs ${WINDOW_MS ?? 'default'}, maxInFlight ${MAX_IN_FLIGHT ?? 'default'}`;
  results.push(
    await run(label, (url) => new PostgresStorage({ connectionString: url, appendBatch })),
  );
}

const offered = ROOMS * TYPISTS * KEYS_PER_SECOND;
console.log(
  `\n${ROOMS} documents × ${TYPISTS} typists × ${KEYS_PER_SECOND} keys/s ≈ ${offered} appends/s offered, ${MEASURE_MS / 1000} s measured\n`,
);
console.log(
  '| variant | appends/s | commits/s | appends per commit | append p50 ms | append p99 ms |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.label} | ${(r.appends / r.seconds).toFixed(0)} | ${(r.commits / r.seconds).toFixed(0)} | ${(r.appends / Math.max(1, r.commits)).toFixed(1)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
  );
}
