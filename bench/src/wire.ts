/**
 * The two wire dialects the benchmarked servers speak. Quire and @y/websocket-server use the
 * y-websocket protocol (one document per socket, `varUint type • payload`); Hocuspocus prefixes
 * every frame with the document name and wants an auth message before anything else. The load
 * generator builds the same Yjs payloads for both and only the framing differs.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
/** Hocuspocus-only: its sync step 1 sent in answer to ours. */
export const MESSAGE_SYNC_REPLY = 4;
/** Hocuspocus-only: per-update "saved" status sent back to the writer. */
export const MESSAGE_SYNC_STATUS = 8;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export type Dialect = 'y-websocket' | 'hocuspocus';

/** A decoded frame: its top-level type and a decoder positioned on the payload. */
export interface Incoming {
  type: number;
  decoder: decoding.Decoder;
}

export interface Wire {
  readonly dialect: Dialect;
  /** The socket URL for one document. */
  url(baseUrl: string, docName: string): string;
  /** Frames to send right after the socket opens, before any sync (Hocuspocus auth). */
  hello(docName: string): Uint8Array[];
  /** Frames a message: `body` writes the type and payload. */
  frame(docName: string, body: (encoder: encoding.Encoder) => void): Uint8Array;
  decode(data: Uint8Array): Incoming;
}

const yWebsocket: Wire = {
  dialect: 'y-websocket',
  url: (baseUrl, docName) => `${baseUrl}/${encodeURIComponent(docName)}`,
  hello: () => [],
  frame(_docName, body) {
    const encoder = encoding.createEncoder();
    body(encoder);
    return encoding.toUint8Array(encoder);
  },
  decode(data) {
    const decoder = decoding.createDecoder(data);
    return { type: decoding.readVarUint(decoder), decoder };
  },
};

const hocuspocus: Wire = {
  dialect: 'hocuspocus',
  // Hocuspocus multiplexes documents over one socket and names them in every frame.
  url: (baseUrl) => baseUrl,
  hello(docName) {
    return [
      this.frame(docName, (e) => {
        encoding.writeVarUint(e, MESSAGE_AUTH);
        encoding.writeVarUint(e, 0); // AuthMessageType.Token
        encoding.writeVarString(e, ''); // no onAuthenticate hook configured: any token passes
      }),
    ];
  },
  frame(docName, body) {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, docName);
    body(encoder);
    return encoding.toUint8Array(encoder);
  },
  decode(data) {
    const decoder = decoding.createDecoder(data);
    decoding.readVarString(decoder);
    return { type: decoding.readVarUint(decoder), decoder };
  },
};

export function wireFor(dialect: Dialect): Wire {
  return dialect === 'hocuspocus' ? hocuspocus : yWebsocket;
}

/** Bytes a WebSocket frame header adds to a payload (server→client frames are unmasked;
 * client→server frames carry 4 more bytes of mask). */
export function frameHeaderBytes(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

/** The (client, clock) of the first struct of a Yjs v1 update: enough to recognise a typist's
 * keystroke or paste at every reader without decoding the update. Null for delete-only updates. */
export function firstStructId(update: Uint8Array): string | null {
  const decoder = decoding.createDecoder(update);
  const groups = decoding.readVarUint(decoder);
  if (groups === 0) return null;
  decoding.readVarUint(decoder); // structs in the group
  const client = decoding.readVarUint(decoder);
  const clock = decoding.readVarUint(decoder);
  return `${client}:${clock}`;
}

/** Awareness update payload with one entry, as y-protocols encodes it. */
export function encodeAwarenessEntry(clientID: number, clock: number, state: unknown): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clientID);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, JSON.stringify(state));
  return encoding.toUint8Array(encoder);
}

/** Client IDs named in an awareness update payload. */
export function awarenessClientIds(payload: Uint8Array): number[] {
  const decoder = decoding.createDecoder(payload);
  const count = decoding.readVarUint(decoder);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(decoding.readVarUint(decoder));
    decoding.readVarUint(decoder);
    decoding.readVarString(decoder);
  }
  return ids;
}
