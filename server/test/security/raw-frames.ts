/**
 * Hand-made WebSocket traffic over a plain TCP socket, for the cases a well-behaved client
 * library refuses to produce: reserved bits and opcodes, unmasked frames, oversized headers,
 * endless fragments, and half-sent handshakes.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawConnection {
  socket: Socket;
  /** Bytes received after the HTTP response head. */
  received(): Buffer;
  /** The close code of the first close frame the server sent, once it has sent one. */
  closeCode(): number | null;
  /** Resolves when the TCP connection has ended. */
  ended: Promise<void>;
}

/** Opens a socket and completes the WebSocket handshake for `path` (must be accepted: 101). */
export async function openRaw(port: number, path: string): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let buffer = Buffer.alloc(0);
  let headEnd = -1;
  const head = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (headEnd < 0) {
        headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd >= 0) resolve(buffer.subarray(0, headEnd).toString('latin1'));
      }
    });
    socket.once('close', () => reject(new Error('closed during handshake')));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
  );
  const status = await head;
  if (!status.startsWith('HTTP/1.1 101'))
    throw new Error(`not upgraded: ${status.split('\r\n')[0]}`);
  const received = () => buffer.subarray(headEnd + 4);
  return { socket, received, closeCode: () => findCloseCode(received()), ended };
}

/** Walks server frames (never masked) and returns the first close frame's code. */
export function findCloseCode(data: Buffer): number | null {
  let offset = 0;
  while (offset + 2 <= data.length) {
    const opcode = data[offset]! & 0x0f;
    let length = data[offset + 1]! & 0x7f;
    let headerLength = 2;
    if (length === 126) {
      if (offset + 4 > data.length) return null;
      length = data.readUInt16BE(offset + 2);
      headerLength = 4;
    } else if (length === 127) {
      if (offset + 10 > data.length) return null;
      length = Number(data.readBigUInt64BE(offset + 2));
      headerLength = 10;
    }
    const start = offset + headerLength;
    if (opcode === 0x8) {
      return length >= 2 && start + 2 <= data.length ? data.readUInt16BE(start) : 1005;
    }
    offset = start + length;
  }
  return null;
}

export interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Uint8Array;
  masked?: boolean;
  /** Declare this payload length in the header instead of the real one. */
  declaredLength?: bigint;
}

/** Encodes one client frame (masked unless `masked: false`). */
export function frame(spec: FrameSpec): Buffer {
  const payload = Buffer.from(spec.payload ?? new Uint8Array());
  const masked = spec.masked ?? true;
  const first = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  const length = spec.declaredLength ?? BigInt(payload.length);
  let header: Buffer;
  if (length < 126n) {
    header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)]);
  } else if (length < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([header, mask, body]);
}

export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Reserved3: 0x3,
  Close: 0x8,
  Ping: 0x9,
} as const;
