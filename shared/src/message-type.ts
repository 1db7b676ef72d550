/**
 * Top-level message types: the first varUint of every binary frame. 0–3 are the y-websocket
 * protocol; 100+ are Quire extensions, exchanged only with clients that opted in (`quire=1`), so
 * a stock client never receives a type it does not know.
 */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  /** Quire extension: the document state that is durably on disk (see PROTOCOL.md). */
  PersistedAck: 100,
  /** Quire extension, client → server: the server lost state it had acknowledged as durable. */
  RollbackReport: 101,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Second varUint of a Sync frame (y-protocols/sync). */
export const SyncMessageType = {
  Step1: 0,
  Step2: 1,
  Update: 2,
} as const;
export type SyncMessageType = (typeof SyncMessageType)[keyof typeof SyncMessageType];

/** Second varUint of an Auth frame (y-protocols/auth). */
export const AuthMessageType = {
  PermissionDenied: 0,
} as const;

/** URL query parameter a client sets to opt into Quire's protocol extensions. */
export const QUIRE_EXTENSIONS_PARAM = 'quire';
