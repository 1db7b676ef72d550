// The durable floor: the harness floor (floor-relay.mjs) plus the least work a relay that keeps
// Quire's promise must add, so the CPU Quire spends beyond what its promise costs can be read off
// one run. It is not a peer and is never part of a ratio (`--servers=…,durable-floor`).
//
// What it adds to the floor, and nothing else:
// - every document is a Y.Doc: each update is applied (a relay that answers a reconnecting
//   client's sync step 1 with what it lacks must hold the document), and sync step 1 is answered
//   with the diff from it;
// - every update is appended to SQLite (WAL, synchronous=NORMAL, one transaction for the appends
//   of one event-loop turn) before it is relayed, and the WAL is fsynced at most 4 ms after an
//   append (one fsync for everything appended meanwhile), as Quire does for its "Saved";
// - the same send path as the floor: a frame built once per broadcast, one write per socket per
//   turn.
// No validation, limits, acks, presence sanitizing, compaction, metrics or logging: whatever
// Quire spends beyond this is the price of those.
// Env: PORT, DATA (a directory for the database file), DURABLE_FLOOR_SKIP (comma-separated parts to
// leave out, to see what each costs: `apply`, `append`, `fsync`; default none).
import { fsync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer } from 'ws';
import { binaryFrame, send } from './relay-frames.mjs';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;
const FSYNC_WINDOW_MS = 4;
const SKIP = new Set((process.env.DURABLE_FLOOR_SKIP ?? '').split(',').filter(Boolean));

const path = join(process.env.DATA ?? '.', 'durable-floor.sqlite');
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS updates (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL)`);
const insert = db.prepare('INSERT INTO updates (doc, data) VALUES (?, ?)');
const appendTurn = db.transaction((items) => {
  for (const item of items) insert.run(item.room.name, item.update);
});
let walFd = null;

/** Appends queued in this turn, each with the broadcast that waits for it. */
let queued = [];
let fsyncTimer = null;
let fsyncing = false;
let fsyncAgain = false;

function queueAppend(room, update, from) {
  if (queued.length === 0) setImmediate(commitTurn);
  queued.push({ room, update, from });
}

function commitTurn() {
  const items = queued;
  queued = [];
  if (!SKIP.has('append')) appendTurn(items);
  if (!SKIP.has('fsync')) scheduleFsync();
  // Written: now relayed.
  for (const item of items) broadcast(item.room, syncUpdateMessage(item.update), item.from);
}

function scheduleFsync() {
  if (fsyncing) {
    fsyncAgain = true;
    return;
  }
  if (fsyncTimer !== null) return;
  fsyncTimer = setTimeout(runFsync, FSYNC_WINDOW_MS);
}

function runFsync() {
  fsyncTimer = null;
  fsyncing = true;
  if (walFd === null) walFd = openSync(`${path}-wal`, 'r');
  fsync(walFd, (error) => {
    if (error) throw error;
    fsyncing = false;
    if (fsyncAgain) {
      fsyncAgain = false;
      scheduleFsync();
    }
  });
}

const wss = new WebSocketServer({
  port: Number(process.env.PORT ?? 1234),
  host: '127.0.0.1',
  perMessageDeflate: false,
});
/** Room name → { name, doc, sockets }. */
const rooms = new Map();

function broadcast(room, payload, from) {
  const frame = binaryFrame(payload);
  for (const other of room.sockets) if (other !== from) send(other, frame);
}

function syncMessage(step, bytes) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, bytes);
  return encoding.toUint8Array(encoder);
}

const syncUpdateMessage = (update) => syncMessage(SYNC_UPDATE, update);

wss.on('connection', (ws, request) => {
  const name = request.url ?? '/';
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = { name, doc: new Y.Doc(), sockets: new Set() }));
  room.sockets.add(ws);
  send(ws, binaryFrame(syncMessage(SYNC_STEP1, Y.encodeStateVector(room.doc))));
  ws.on('message', (data) => {
    const message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (message[0] !== MESSAGE_SYNC) return broadcast(room, message, ws); // awareness, as is
    const decoder = decoding.createDecoder(message);
    decoding.readVarUint(decoder);
    const step = decoding.readVarUint(decoder);
    const bytes = decoding.readVarUint8Array(decoder);
    if (step === SYNC_STEP1) {
      send(ws, binaryFrame(syncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(room.doc, bytes))));
      return;
    }
    if (step !== SYNC_STEP2 && step !== SYNC_UPDATE) return;
    if (bytes.length === 2 && bytes[0] === 0 && bytes[1] === 0) return; // an empty update
    if (!SKIP.has('apply')) Y.applyUpdate(room.doc, bytes);
    queueAppend(room, bytes, ws);
  });
  ws.on('close', () => {
    room.sockets.delete(ws);
    if (room.sockets.size === 0) {
      room.doc.destroy();
      rooms.delete(name);
    }
  });
});
wss.on('listening', () => console.log(`durable floor listening on ${process.env.PORT}`));
process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
