/**
 * The WAL checkpointer's worker thread, as source text for `new Worker(source, { eval: true })`.
 *
 * Why a string and not a file: the server runs from `dist/` (compiled JS) and its tests run the
 * TypeScript sources under vitest, where no `.js` sibling exists to point a worker at. An eval'd
 * CommonJS worker needs no file, no loader and no build step, so it behaves the same everywhere.
 * It only `require`s the better-sqlite3 entry whose absolute path the main thread resolved (so
 * the worker uses exactly the driver the server uses, whatever the working directory).
 *
 * Protocol (structured-clone messages):
 * - workerData: { driverPath, dbPath, intervalMs, catchUpMs }
 * - main → worker: { type: 'checkpoint' } run one now (the main thread has at most one in flight);
 *   { type: 'stop' } close the connection and exit; { type: 'hang' } stop checkpointing and
 *   answering, as a worker stuck in a syscall would (tests of the safety valve).
 * - worker → main: { type: 'checkpointed', requested, copied, ms, busy, log, checkpointed } after
 *   every requested checkpoint and every timed one that copied frames; { type: 'failed',
 *   requested, message } when a checkpoint threw.
 *
 * The worker's own periodic timer (one per storage, i.e. one per server process) checkpoints
 * whatever the main thread's estimate missed. After a checkpoint that could not cover the whole
 * WAL (frames were committed while it ran), a few quicker retries give the WAL the chance to be
 * fully checkpointed, which is what lets the next commit restart it from the beginning instead of
 * growing it.
 */
export const WAL_CHECKPOINT_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);

const db = new Database(workerData.dbPath, { fileMustExist: true });
// A checkpoint syncs the WAL before copying it and the database file after, unless synchronous
// is OFF; keep the same level as the main connection.
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

let timer = null;
let stopped = false;
let hung = false;
let catchUpsLeft = 0;
let last = { log: 0, checkpointed: 0 };

function run(requested) {
  if (stopped || hung) return;
  if (timer) clearTimeout(timer);
  timer = null;
  const started = performance.now();
  let row;
  try {
    row = checkpoint.get();
  } catch (error) {
    parentPort.postMessage({
      type: 'failed',
      requested,
      message: error && error.message ? String(error.message) : String(error),
    });
    schedule(workerData.intervalMs);
    return;
  }
  const ms = performance.now() - started;
  const copied = row.log !== last.log || row.checkpointed !== last.checkpointed;
  last = { log: row.log, checkpointed: row.checkpointed };
  if (requested || copied) {
    parentPort.postMessage({
      type: 'checkpointed',
      requested,
      copied,
      ms,
      busy: row.busy,
      log: row.log,
      checkpointed: row.checkpointed,
    });
  }
  const complete = row.busy === 0 && row.checkpointed >= row.log;
  if (complete) catchUpsLeft = workerData.catchUps;
  else if (copied && catchUpsLeft > 0) {
    catchUpsLeft--;
    schedule(workerData.catchUpMs);
    return;
  }
  schedule(workerData.intervalMs);
}

function schedule(ms) {
  if (stopped) return;
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => run(false), ms);
}

parentPort.on('message', (message) => {
  if (message.type === 'checkpoint') {
    catchUpsLeft = workerData.catchUps;
    run(true);
  } else if (message.type === 'hang') {
    hung = true;
    if (timer) clearTimeout(timer);
    timer = null;
  } else if (message.type === 'stop') {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    db.close();
    parentPort.close();
  }
});

catchUpsLeft = workerData.catchUps;
schedule(workerData.intervalMs);
`;
