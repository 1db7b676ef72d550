/** Attacker-side helpers: send hostile messages on a real socket and observe how it ends. */
import * as Y from 'yjs';
import { writeVarUint, varUintSize } from '@quire/shared';
import WebSocket from 'ws';
import { rawSocket, type RawSocket } from '../helpers/clients.js';

export interface AttackResult {
  /** The close code, or -1 if the socket was still open at the deadline. */
  code: number;
  reason: string;
  /** Messages the attacker received before the close. */
  messages: Uint8Array[];
}

/** Opens a socket, sends `messages` (strings as text frames), and waits for the close. */
export async function attack(
  url: string,
  messages: (Uint8Array | string)[],
  deadlineMs = 5_000,
): Promise<AttackResult> {
  const socket = await rawSocket(url);
  for (const m of messages) socket.ws.send(m);
  return outcome(socket, deadlineMs);
}

export async function outcome(socket: RawSocket, deadlineMs = 5_000): Promise<AttackResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ code: number; reason: string }>((resolve) => {
    timer = setTimeout(() => resolve({ code: -1, reason: 'still open' }), deadlineMs);
  });
  const closed = await Promise.race([socket.closed, timeout]);
  clearTimeout(timer);
  if (closed.code === -1) socket.ws.terminate();
  return { ...closed, messages: socket.messages };
}

/** Like helpers' rawSocket, with request headers (cookies, Origin). */
export async function rawSocketWithHeaders(
  url: string,
  headers: Record<string, string>,
): Promise<RawSocket> {
  const ws = new WebSocket(url, { headers });
  const messages: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return { ws, messages, closed };
}

/** Concatenates varUints and byte arrays (a varUint-length prefix is added for `{bytes}`). */
export function bytes(...parts: (number | Uint8Array | { bytes: Uint8Array })[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    if (typeof part === 'number') {
      const out = new Uint8Array(varUintSize(part));
      writeVarUint(out, 0, part);
      chunks.push(out);
    } else if (part instanceof Uint8Array) {
      chunks.push(part);
    } else {
      chunks.push(bytes(part.bytes.length), part.bytes);
    }
  }
  return Buffer.concat(chunks);
}

/** Many varUints in one array (no spread: argument lists have a size limit). */
export function varUints(values: ArrayLike<number>): Uint8Array {
  let size = 0;
  for (let i = 0; i < values.length; i++) size += varUintSize(values[i]!);
  const out = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < values.length; i++) offset = writeVarUint(out, offset, values[i]!);
  return out;
}

/** A real Yjs update: `text` inserted at `index` by a doc with `clientID`, after `base`. */
export function textUpdate(
  text: string,
  options: { clientID?: number; base?: Uint8Array[]; index?: number } = {},
): Uint8Array {
  const doc = new Y.Doc();
  for (const u of options.base ?? []) Y.applyUpdate(doc, u);
  // Taken on after the base is applied: a document that receives updates under its own client ID
  // makes Yjs pick another one (and warn), as it should for a real clash.
  if (options.clientID !== undefined) doc.clientID = options.clientID;
  const before = Y.encodeStateVector(doc);
  doc.getText('text').insert(options.index ?? 0, text);
  const update = Y.encodeStateAsUpdate(doc, before);
  doc.destroy();
  return update;
}
