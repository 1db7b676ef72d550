// The send path both floor relays share (floor-relay.mjs, durable-floor.mjs): Quire's two
// send-side savings, a frame built once per broadcast and one write per socket per event-loop
// turn (cork on the turn's first frame, uncork every socket in one setImmediate).

/** Sockets corked during this turn; all uncorked by one setImmediate. */
const corked = new Set();

function uncorkAll() {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

/** An unmasked binary WebSocket frame (RFC 6455 §5.2) around `payload`. */
export function binaryFrame(payload) {
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
 * instrument; ws queues nothing itself without permessage-deflate), corked until the turn ends. */
export function send(ws, frame) {
  const socket = ws._socket;
  if (!corked.has(socket)) {
    if (corked.size === 0) setImmediate(uncorkAll);
    socket.cork();
    corked.add(socket);
  }
  socket.write(frame);
}
