/**
 * The worker thread that copies a big write's WAL frames into the database file
 * (sqlite-checkpointer.ts), as source text for `new Worker(source, { eval: true })`.
 *
 * Why a string and not a file: the server runs from `dist/` (compiled JS) and its tests run the
 * TypeScript sources under vitest, where no `.js` sibling exists to point a worker at. An eval'd
 * worker needs no file, loader or build step. Node evaluates it as CommonJS, or as an ES module
 * when the process runs with `--input-type=module`, so it only uses what works in both: dynamic
 * `import()` of the better-sqlite3 entry the main thread resolved (the same driver).
 *
 * Protocol (structured-clone messages):
 * - workerData: { driverUrl, dbPath }
 * - main → worker: { type: 'checkpoint', id } runs `PRAGMA wal_checkpoint(PASSIVE)` once;
 *   { type: 'stop' } closes the connection and exits.
 * - worker → main: { type: 'checkpointed', id, ms, busy, log, checkpointed } or
 *   { type: 'failed', id, message }.
 */
export const SQLITE_CHECKPOINT_WORKER_SOURCE = `
(async () => {
const { parentPort, workerData } = await import('node:worker_threads');
const driver = await import(workerData.driverUrl);
const Database = driver.default ?? driver;

const db = new Database(workerData.dbPath, { fileMustExist: true });
// A checkpoint fsyncs the WAL before copying it and the database file after, unless synchronous
// is OFF: the same level as the main connection.
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

parentPort.on('message', (message) => {
  if (message.type === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  if (message.type !== 'checkpoint') return;
  const started = performance.now();
  try {
    const row = checkpoint.get();
    parentPort.postMessage({
      type: 'checkpointed',
      id: message.id,
      ms: performance.now() - started,
      busy: row.busy,
      log: row.log,
      checkpointed: row.checkpointed,
    });
  } catch (error) {
    parentPort.postMessage({
      type: 'failed',
      id: message.id,
      message: error && error.message ? String(error.message) : String(error),
    });
  }
});
})();
`;
