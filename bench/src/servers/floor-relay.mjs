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
/** Sockets corked during this turn; all uncorked by one setImmediate. */
const corked = new Set();

function uncorkAll() {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** An unmasked binary WebSocket frame (RFC 6455 §5.2) around `payload`. */
function binaryFrame(payload) {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x82; // FIN, binary
  if (length < 126) frame[1] = length;
  else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.set(payload, header);
  return frame;
}

/** Writes a complete frame to the socket under ws (a private field, fine for a measuring
 * instrument; ws queues nothing itself without permessage-deflate). */
function send(ws, frame) {
  const socket = ws._socket;
  if (!corked.has(socket)) {
    if (corked.size === 0) setImmediate(uncorkAll);
    socket.cork();
    corked.add(socket);
  }
  socket.write(frame);
}

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
