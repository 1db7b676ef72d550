/**
 * Server-to-client WebSocket frames, built once per message instead of once per recipient.
 *
 * A relay sends the same message to every reader of a room. Through `ws.send()` each recipient
 * costs a frame header allocation, option handling and two stream writes (header, payload). Here
 * the whole frame (RFC 6455 §5.2: FIN + binary opcode, unmasked, 7/16/64-bit length, payload) is
 * one Buffer built for the first recipient and reused, by identity, for the others: `Room`
 * broadcasts one Uint8Array to all its peers in a loop, so a one-entry cache sees every hit.
 *
 * The frame is written straight to the socket under ws. That is safe because the server runs ws
 * without permessage-deflate: ws then never queues frames itself, so its own control frames
 * (ping, pong, close) and ours reach the socket in the order they were sent, and
 * `ws.bufferedAmount` (the socket's write buffer) still counts our bytes.
 */

/** FIN bit set, opcode 0x2 (binary). */
const FIN_BINARY = 0x82;

let lastPayload: Uint8Array | null = null;
let lastFrame: Buffer | null = null;

/** The complete unmasked binary frame carrying `payload`. */
export function encodeBinaryFrame(payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const headerBytes = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = FIN_BINARY;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(payload, headerBytes);
  return frame;
}

/** `encodeBinaryFrame(payload)`, reusing the last result when called again with the same
 * (unchanged) payload object: the broadcast case. Payloads are never mutated after encoding. */
export function sharedBinaryFrame(payload: Uint8Array): Buffer {
  if (payload !== lastPayload || lastFrame === null) {
    lastFrame = encodeBinaryFrame(payload);
    lastPayload = payload;
  }
  return lastFrame;
}

/** Drops the cached frame (so a large one is not kept alive until the next send). */
export function releaseSharedFrame(): void {
  lastPayload = null;
  lastFrame = null;
}
