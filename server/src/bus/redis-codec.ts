/**
 * The RedisBus wire format: one small binary envelope per pub/sub message, so Yjs bytes cross
 * Redis as they are (no JSON, no base64). Layout, integers big-endian:
 *
 *   byte 0        format version, 1
 *   byte 1        kind: 1 = update, 2 = update with seq, 3 = awareness (document channels);
 *                 4 = heartbeat, 5 = goodbye (the instance channel, with no payload)
 *   byte 2        n, the length of the publishing instance's id (1–255 bytes of UTF-8)
 *   bytes 3…      the instance id
 *   next 8 bytes  seq as an unsigned 64-bit integer, at most 2^53 − 1 (kind 2 only)
 *   the rest      the payload (may be empty)
 *
 * The document is not in the envelope: it is the channel the message came on. Each channel
 * takes only its own kinds: an instance announcement on a document's channel is refused, and
 * the other way round.
 *
 * Decoding is strict: an unknown version or kind, a header cut short, an id that is not valid
 * UTF-8 or a seq a JavaScript number cannot hold exactly is refused as a whole (`null`), never
 * half-read, so bytes someone else published on a channel cannot pass for a real message.
 */
import type { BusMessage, InstanceMessage } from './adapter.js';

export const WIRE_VERSION = 1;

const KIND_UPDATE = 1;
const KIND_UPDATE_WITH_SEQ = 2;
const KIND_AWARENESS = 3;
const KIND_HEARTBEAT = 4;
const KIND_GOODBYE = 5;
const HEADER_BYTES = 3;
const SEQ_BYTES = 8;
const MAX_ID_BYTES = 255;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedBusMessage {
  instanceId: string;
  /** Its `update` is a view into the received buffer: copy it before handing it out. */
  message: BusMessage;
}

/** An instance id as the envelope carries it; throws RangeError when it cannot be carried. */
export function encodeInstanceId(instanceId: string): Buffer {
  const bytes = Buffer.from(instanceId, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_ID_BYTES || !isWellFormed(instanceId)) {
    throw new RangeError(`an instance id must be 1–${MAX_ID_BYTES} bytes of valid UTF-8`);
  }
  return bytes;
}

/** Throws RangeError for a seq that is not a non-negative safe integer. */
export function encodeBusMessage(instanceId: Buffer, message: BusMessage): Buffer {
  const seq = message.kind === 'update' ? message.seq : undefined;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && seq >= 0)) {
    throw new RangeError(`seq must be a non-negative safe integer, not ${seq}`);
  }
  const kind =
    message.kind === 'awareness'
      ? KIND_AWARENESS
      : seq === undefined
        ? KIND_UPDATE
        : KIND_UPDATE_WITH_SEQ;
  const seqBytes = seq === undefined ? 0 : SEQ_BYTES;
  const out = Buffer.allocUnsafe(
    HEADER_BYTES + instanceId.length + seqBytes + message.update.length,
  );
  out[0] = WIRE_VERSION;
  out[1] = kind;
  out[2] = instanceId.length;
  let offset = HEADER_BYTES + instanceId.copy(out, HEADER_BYTES);
  if (seq !== undefined) offset = out.writeBigUInt64BE(BigInt(seq), offset);
  out.set(message.update, offset);
  return out;
}

/** The envelope in `bytes`, or null when they are not exactly one well-formed envelope. */
export function decodeBusMessage(bytes: Buffer): DecodedBusMessage | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== WIRE_VERSION) return null;
  const kind = bytes[1];
  const idLength = bytes[2]!;
  if (kind !== KIND_UPDATE && kind !== KIND_UPDATE_WITH_SEQ && kind !== KIND_AWARENESS) {
    return null;
  }
  const idEnd = HEADER_BYTES + idLength;
  const payloadStart = idEnd + (kind === KIND_UPDATE_WITH_SEQ ? SEQ_BYTES : 0);
  if (idLength === 0 || bytes.length < payloadStart) return null;
  const instanceId = decodeId(bytes, idEnd);
  if (instanceId === null) return null;
  const update = bytes.subarray(payloadStart);
  if (kind === KIND_AWARENESS) return { instanceId, message: { kind: 'awareness', update } };
  if (kind === KIND_UPDATE) return { instanceId, message: { kind: 'update', update } };
  const seq = bytes.readBigUInt64BE(idEnd);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { instanceId, message: { kind: 'update', update, seq: Number(seq) } };
}

/** An instance announcement (heartbeat, goodbye): the header alone. */
export function encodeInstanceMessage(instanceId: Buffer, message: InstanceMessage): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + instanceId.length);
  out[0] = WIRE_VERSION;
  out[1] = message.kind === 'heartbeat' ? KIND_HEARTBEAT : KIND_GOODBYE;
  out[2] = instanceId.length;
  instanceId.copy(out, HEADER_BYTES);
  return out;
}

/** The announcement in `bytes`, or null unless they are exactly one (no trailing bytes). */
export function decodeInstanceMessage(
  bytes: Buffer,
): { instanceId: string; message: InstanceMessage } | null {
  if (bytes.length < HEADER_BYTES || bytes[0] !== WIRE_VERSION) return null;
  const kind = bytes[1];
  const idLength = bytes[2]!;
  if (kind !== KIND_HEARTBEAT && kind !== KIND_GOODBYE) return null;
  if (idLength === 0 || bytes.length !== HEADER_BYTES + idLength) return null;
  const instanceId = decodeId(bytes, HEADER_BYTES + idLength);
  if (instanceId === null) return null;
  return { instanceId, message: { kind: kind === KIND_HEARTBEAT ? 'heartbeat' : 'goodbye' } };
}

function decodeId(bytes: Buffer, idEnd: number): string | null {
  try {
    return strictUtf8.decode(bytes.subarray(HEADER_BYTES, idEnd));
  } catch {
    return null;
  }
}

/** No lone surrogates: Buffer.from would turn them into U+FFFD, so the id would not round-trip. */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
