// The harness floor: the least work a relay can do, measured by the same load generator as the
// real servers so each figure can be read against what the harness alone costs. It is not a
// peer and is never part of a ratio (`--servers=…,floor` adds it to a run).
//
// It parses nothing but the first two bytes of a message: updates and awareness are forwarded
// as they are to the room's other sockets, in a frame built once per broadcast (not once per
// recipient), and all frames for one socket in one event-loop turn go out as one write (cork,
// then uncork on setImmediate): Quire's two send-side savings. A client's sync step 1 gets an
// empty sync step 2, and a client's own sync step 2 is dropped. No Yjs, no storage, no
// validation, so it cannot serve stored documents: the cold-load scenario skips it.
// Env: PORT.
import { WebSocketServer } from 'ws';
import { binaryFrame, send } from './relay-frames.mjs';

const MESSAGE_SYNC = 0;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
/** sync • step 1 • the empty state vector: "send me everything". */
const EMPTY_SYNC_STEP1_FRAME = binaryFrame(new Uint8Array([MESSAGE_SYNC, SYNC_STEP1, 1, 0]));
/** sync • step 2 • the empty update. */
const EMPTY_SYNC_STEP2_FRAME = binaryFrame(new Uint8Array([MESSAGE_SYNC, SYNC_STEP2, 2, 0, 0]));

const wss = new WebSocketServer({
  port: Number(process.env.PORT ?? 1234),
  host: '127.0.0.1',
  perMessageDeflate: false,
});
/** Room (the request path) → its open sockets. */
const rooms = new Map();

wss.on('connection', (ws, request) => {
  const name = request.url ?? '/';
  let room = rooms.get(name);
  if (!room) rooms.set(name, (room = new Set()));
  room.add(ws);
  send(ws, EMPTY_SYNC_STEP1_FRAME);
  ws.on('message', (data) => {
    if (data[0] === MESSAGE_SYNC && data[1] === SYNC_STEP1) return send(ws, EMPTY_SYNC_STEP2_FRAME);
    if (data[0] === MESSAGE_SYNC && data[1] === SYNC_STEP2) return;
    const frame = binaryFrame(data);
    for (const other of room) if (other !== ws) send(other, frame);
  });
  ws.on('close', () => {
    room.delete(ws);
    if (room.size === 0) rooms.delete(name);
  });
});
wss.on('listening', () => console.log(`floor relay listening on ${process.env.PORT}`));
process.on('SIGTERM', () => process.exit(0));
