/**
 * Every limit the server enforces, as a named default with the reason for its value.
 * Each is overridable through QuireServerOptions (see config.ts and the README's config table).
 */

/** Largest single WebSocket message (ws `maxPayload`). A reconnecting offline client sends its
 * whole missing history in one sync step 2, so this is generous; anything bigger is refused with
 * 1009 by ws before it is buffered. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Total open WebSocket connections per process. Beyond it, upgrades get HTTP 503. Each idle
 * connection costs a few KiB; 10k keeps a 2-core box responsive. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** A connection whose unsent bytes pass this mark is a slow consumer: it is closed with 4429 and
 * resyncs on reconnect, instead of growing server memory without bound. */
export const DEFAULT_SEND_HIGH_WATER_BYTES = 8 * 1024 * 1024;

/** Ping interval. A peer that has not answered the previous ping by the next tick is terminated,
 * so a dead peer is freed within two intervals. One timer for all connections. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;

/** How long a room stays loaded after its last connection leaves, so a page reload does not pay
 * for an unload + reload. */
export const DEFAULT_ROOM_UNLOAD_GRACE_MS = 2_000;

/** Compact a document's update log into its snapshot once it holds this many updates… */
export const DEFAULT_COMPACT_AFTER_UPDATES = 500;
/** …or this many bytes, whichever comes first: keeps load time proportional to document size. */
export const DEFAULT_COMPACT_AFTER_BYTES = 1024 * 1024;

/** Messages a connection may send before its document finishes loading; a client sends 2–3
 * (sync step 1, awareness), so more than this is abuse. */
export const MAX_MESSAGES_BEFORE_READY = 64;

/** Awareness entries in one message. A client announces its own state (one entry); a few more
 * allows for tab reloads that reuse the socket. */
export const MAX_AWARENESS_ENTRIES_PER_MESSAGE = 16;

/** Size of one awareness state as JSON text. Cursors and a user name need well under 1 KiB. */
export const DEFAULT_MAX_AWARENESS_STATE_BYTES = 64 * 1024;

/** How long SIGTERM/SIGINT waits for the final flush before exiting anyway. */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
