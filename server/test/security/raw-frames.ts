/**
 * Hand-made WebSocket traffic over a plain TCP socket, for the cases a well-behaved client
 * library refuses to produce: reserved bits and opcodes, unmasked frames, oversized headers,
 * endless fragments, and half-sent handshakes.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import * as Y from 'yjs';
import { decodeServerFrame } from '@quire/shared';

export interface RawConnection {
  socket: Socket;
  /** The close code of the first close frame the server sent, once it has sent one. */
  closeCode(): number | null;
  /** The text ('text') of a replica built from every document frame received so far. */
  documentText(): string;
  /** Resolves when the TCP connection has ended. */
  ended: Promise<void>;
}

/** Opens a socket and completes the WebSocket handshake for `path` (must be accepted: 101).
 * Server frames are parsed as they stream in (only a partial frame is ever buffered). */
export async function openRaw(port: number, path: string): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let pending: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let code: number | null = null;
  const replica = new Y.Doc();
  const onBinary = (payload: Buffer) => {
    const decoded = decodeServerFrame(new Uint8Array(payload));
    if (decoded.kind === 'sync-step2' || decoded.kind === 'sync-update') {
      Y.applyUpdate(replica, decoded.update);
    }
  };
  let resolveHead: (status: string) => void = () => {};
  const head = new Promise<string>((resolve, reject) => {
    resolveHead = resolve;
    socket.once('close', () => reject(new Error('closed during handshake')));
  });
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (!upgraded) {
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      upgraded = true;
      resolveHead(pending.subarray(0, end).toString('latin1'));
      pending = pending.subarray(end + 4);
    }
    for (;;) {
      const parsed = parseFrame(pending);
      if (!parsed) return;
      if (parsed.opcode === 0x8 && code === null) code = parsed.closeCode;
      if (parsed.opcode === 0x2) onBinary(pending.subarray(parsed.payloadStart, parsed.size));
      pending = pending.subarray(parsed.size);
    }
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
  return {
    socket,
    closeCode: () => code,
    documentText: () => replica.getText('text').toString(),
    ended,
  };
}

/** One complete server frame (never masked) at the start of `data`, or null if incomplete. */
function parseFrame(
  data: Buffer,
): { opcode: number; size: number; payloadStart: number; closeCode: number } | null {
  if (data.length < 2) return null;
  const opcode = data[0]! & 0x0f;
  let length = data[1]! & 0x7f;
  let headerLength = 2;
  if (length === 126) {
    if (data.length < 4) return null;
    length = data.readUInt16BE(2);
    headerLength = 4;
  } else if (length === 127) {
    if (data.length < 10) return null;
    length = Number(data.readBigUInt64BE(2));
    headerLength = 10;
  }
  if (data.length < headerLength + length) return null;
  const closeCode = opcode === 0x8 && length >= 2 ? data.readUInt16BE(headerLength) : 1005;
  return { opcode, size: headerLength + length, payloadStart: headerLength, closeCode };
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
