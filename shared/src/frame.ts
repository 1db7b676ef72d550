/**
 * Binary frames: `varUint messageType • payload` (y-websocket protocol, see PROTOCOL.md).
 * Decoding is strict: one message per frame, every length checked, payloads copied to exact size.
 */
import {
  ByteReader,
  encodeVarString,
  encodeWithPayload,
  varUintSize,
  writeVarUint,
} from './bytes.js';
import { QuireError } from './errors.js';
import { AuthMessageType, MessageType, SyncMessageType } from './message-type.js';

/** The y-websocket messages that flow both ways (the relay forwards what clients send). */
type RelayedFrame =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2'; update: Uint8Array }
  | { kind: 'sync-update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' };

/** A message a client may send to the server. */
export type ClientFrame =
  | RelayedFrame
  /** Quire extension: the last state vector the server acknowledged as durable to this client,
   * sent when the server's sync step 1 shows it no longer has all of it. */
  | { kind: 'rollback-report'; acknowledged: Uint8Array };

/** A message the server may send to a client. */
export type ServerFrame =
  | RelayedFrame
  | { kind: 'permission-denied'; reason: string }
  | {
      kind: 'persisted-ack';
      stateVector: Uint8Array;
      /** How many sync step 2 / update messages this connection sent are durable, or null
       * when the server did not say (the field is optional on the wire). Deletions do not
       * advance a state vector, so this count is what proves a delete-only edit saved. */
      durableUpdates: number | null;
    };

export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  if (bytes.length === 0) throw new QuireError('frame-empty', 'empty message');
  const reader = new ByteReader(bytes);
  const type = reader.readVarUint();
  let frame: ClientFrame;
  switch (type) {
    case MessageType.Sync:
      frame = decodeSync(reader);
      break;
    case MessageType.Awareness:
      frame = { kind: 'awareness', update: reader.readVarUint8Array() };
      break;
    case MessageType.QueryAwareness:
      frame = { kind: 'query-awareness' };
      break;
    case MessageType.RollbackReport:
      frame = { kind: 'rollback-report', acknowledged: reader.readVarUint8Array() };
      break;
    default:
      // Auth and PersistedAck only flow server → client; anything else is not ours.
      throw new QuireError('frame-unknown-type', `unknown or unexpected message type ${type}`);
  }
  reader.expectEnd();
  return frame;
}

function decodeSync(reader: ByteReader): ClientFrame {
  const subtype = reader.readVarUint();
  switch (subtype) {
    case SyncMessageType.Step1:
      return { kind: 'sync-step1', stateVector: reader.readVarUint8Array() };
    case SyncMessageType.Step2:
      return { kind: 'sync-step2', update: reader.readVarUint8Array() };
    case SyncMessageType.Update:
      return { kind: 'sync-update', update: reader.readVarUint8Array() };
    default:
      throw new QuireError('frame-unknown-sync-type', `unknown sync message type ${subtype}`);
  }
}

export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  if (bytes.length === 0) throw new QuireError('frame-empty', 'empty message');
  const reader = new ByteReader(bytes);
  const type = reader.readVarUint();
  if (type === MessageType.Auth) {
    const subtype = reader.readVarUint();
    if (subtype !== AuthMessageType.PermissionDenied) {
      throw new QuireError('frame-unknown-type', `unknown auth message type ${subtype}`);
    }
    const reason = reader.readVarString();
    reader.expectEnd();
    return { kind: 'permission-denied', reason };
  }
  if (type === MessageType.PersistedAck) {
    const stateVector = reader.readVarUint8Array();
    const durableUpdates = reader.remaining > 0 ? reader.readVarUint() : null;
    reader.expectEnd();
    return { kind: 'persisted-ack', stateVector, durableUpdates };
  }
  const frame = decodeClientFrame(bytes);
  if (frame.kind === 'rollback-report') {
    throw new QuireError('frame-unknown-type', 'a rollback report only flows client → server');
  }
  return frame;
}

export const encodeSyncStep1 = (stateVector: Uint8Array): Uint8Array =>
  encodeWithPayload([MessageType.Sync, SyncMessageType.Step1], stateVector);

export const encodeSyncStep2 = (update: Uint8Array): Uint8Array =>
  encodeWithPayload([MessageType.Sync, SyncMessageType.Step2], update);

export const encodeSyncUpdate = (update: Uint8Array): Uint8Array =>
  encodeWithPayload([MessageType.Sync, SyncMessageType.Update], update);

export const encodeAwareness = (awarenessUpdate: Uint8Array): Uint8Array =>
  encodeWithPayload([MessageType.Awareness], awarenessUpdate);

export const encodeQueryAwareness = (): Uint8Array => Uint8Array.of(MessageType.QueryAwareness);

export const encodePermissionDenied = (reason: string): Uint8Array =>
  encodeVarString([MessageType.Auth, AuthMessageType.PermissionDenied], reason);

/** Quire extension, client → server: `acknowledged` is the last durable state vector the server
 * sent this client, which the server's current state no longer covers. */
export const encodeRollbackReport = (acknowledged: Uint8Array): Uint8Array =>
  encodeWithPayload([MessageType.RollbackReport], acknowledged);

/** Quire extension: `stateVector` is the document state that is durably on disk, and
 * `durableUpdates` how many of the recipient's own sync step 2 / update messages are. */
export function encodePersistedAck(stateVector: Uint8Array, durableUpdates?: number): Uint8Array {
  const frame = encodeWithPayload([MessageType.PersistedAck], stateVector);
  if (durableUpdates === undefined) return frame;
  const out = new Uint8Array(frame.length + varUintSize(durableUpdates));
  out.set(frame);
  writeVarUint(out, frame.length, durableUpdates);
  return out;
}
