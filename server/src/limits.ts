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

/** A connection whose unsent bytes pass this mark is a slow consumer: nothing more is queued for
 * it (server memory stays bounded), and once its socket drains it gets one sync step 2 with
 * exactly what it missed (slow-reader.ts). */
export const DEFAULT_SEND_HIGH_WATER_BYTES = 8 * 1024 * 1024;

/** How long a slow consumer may take to drain its send buffer before it is closed with 1013
 * (try again later: stock clients reconnect and resync). Long enough for a phone on a bad link
 * to take in several MiB; short enough that a reader that stopped reading altogether does not
 * hold its buffer for minutes. */
export const DEFAULT_SLOW_CONSUMER_TIMEOUT_MS = 30_000;

/** Rounds of "you sent an update with missing dependencies; here is my sync step 1" one
 * connection may cause within SYNC_GAP_WINDOW_MS. A reconnect needs one or two (a keystroke
 * that overtook the offline edits it builds on); a client whose answers never fill the gap
 * would otherwise loop forever, so past this it is closed with 4400 as a bad client. */
export const MAX_SYNC_GAP_ROUNDS = 20;
export const SYNC_GAP_WINDOW_MS = 60_000;

/** Ping interval. A peer that has not answered the previous ping by the next tick is terminated,
 * so a dead peer is freed within two intervals. One timer for all connections. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;

/** How long a room stays loaded after its last connection leaves, so a page reload does not pay
 * for an unload + reload. */
export const DEFAULT_ROOM_UNLOAD_GRACE_MS = 2_000;

/** Compact a document's update log into its snapshot once it holds this many updates… */
export const DEFAULT_COMPACT_AFTER_UPDATES = 500;
/** …or this many bytes, whichever comes first: keeps load time proportional to document size.
 * Past this size the snapshot scales both thresholds (DocumentStore.shouldCompact). */
export const DEFAULT_COMPACT_AFTER_BYTES = 1024 * 1024;

/** Messages a connection may send before its document finishes loading; a client sends 2–3
 * (sync step 1, awareness), and one typing into an editor that reconnects a few more. Past this
 * the server stops reading the socket until the document is loaded (TCP backpressure), so
 * what waits is in the kernel's buffers, not in ours. */
export const MAX_MESSAGES_BEFORE_READY = 64;

/** Awareness entries in one message. A client announces only its own state, but stock
 * y-websocket clients echo every change they receive in one message: a client joining a room
 * echoes the whole room's presence at once. So this is the largest room, not one client; what
 * bounds the work is the message's byte size (a count the bytes could not hold is refused as
 * malformed before anything is allocated). */
export const MAX_AWARENESS_ENTRIES_PER_MESSAGE = DEFAULT_MAX_CONNECTIONS;

/** Awareness client IDs one connection may own. A y-websocket client uses one (a second only
 * after a client-ID clash); each ID keeps a stored state until the room unloads. */
export const MAX_AWARENESS_IDS_PER_CONNECTION = 4;

/** Size of one awareness state as JSON text. Cursors and a user name need well under 1 KiB. */
export const DEFAULT_MAX_AWARENESS_STATE_BYTES = 64 * 1024;

/** Largest document, measured as its encoded Yjs state. An update that would grow a document
 * past it is refused with 4413 and not applied. Far above any text a person writes; bounds the
 * memory one document (and one attacker) can take. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** Connections from one IP address. Generous for offices behind one NAT address; stops one host
 * from taking the whole connection budget. Refused with HTTP 429. */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 500;

/** Client addresses the per-IP cap does not count: loopback. A reverse proxy on the same host
 * (the recommended TLS setup) makes every client look like 127.0.0.1, so capping it would cap
 * all users together. Trust the proxy instead (trustProxy / --trust-proxy): the address it
 * forwards is then the one counted, and the one compared with this list. */
export const DEFAULT_IP_CAP_EXEMPT_ADDRESSES: readonly string[] = [
  '127.0.0.1',
  '::1',
  '::ffff:127.0.0.1',
];

/** Connections per token subject (`sub`). A person with many tabs needs tens, not hundreds. */
export const DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL = 100;

/** New documents one principal (or client IP) may create per minute. People create a handful a
 * day; a script writing into thousands of fresh names would grow storage without bound. */
export const DEFAULT_MAX_NEW_DOCUMENTS_PER_MINUTE = 120;

/** Sustained messages per second per connection. Fast typing with cursor moves is 20–40/s; an
 * importer or a script sends as fast as it can. Over budget, a connection is throttled, never
 * closed (throttle.ts): the server stops reading its socket until the budget refills, so a burst
 * is applied in full at this rate. One message costs the server tens of microseconds, so 500/s
 * keeps one flooding client to a few per cent of a core. */
export const DEFAULT_MESSAGES_PER_SECOND = 500;
/** Burst allowance on top of the sustained rate (reconnect: step 1, step 2, awareness, queued
 * offline edits), taken at full speed before throttling starts. */
export const DEFAULT_MESSAGE_BURST = 1_000;

/** Sustained bytes per second per connection: a pasted book every few seconds. */
export const DEFAULT_BYTES_PER_SECOND = 4 * 1024 * 1024;
/** Byte burst: two of the largest messages, so a reconnecting client can send its whole state. */
export const byteBurstFor = (maxMessageBytes: number): number => 2 * maxMessageBytes;

/** Deadline for the access check (`authorize` hook) and for a new connection's first message
 * (stock clients send sync step 1 at once). Late upgrades get HTTP 503, silent sockets 1013
 * (a stalled link at connect time is a passing condition: stock clients retry). */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** HTTP: time to receive a request's headers (slowloris). Node's default is 60 s. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** HTTP: time to receive a whole request. Quire's requests are tiny. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks the two HTTP timeouts above (its default is 30 s, too coarse). */
export const HTTP_TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** HTTP: headers per request. Browsers send ~20; proxies add a few. */
export const DEFAULT_MAX_HEADERS_COUNT = 100;

/** WebSocket fragments per message (ws `maxFragments`, default 16384). Browsers and y-websocket
 * send each message as one frame; a long chain of tiny continuation frames only costs memory
 * (ws#2331). Refused with 1008. */
export const DEFAULT_MAX_FRAGMENTS = 128;
/** TCP chunks ws may buffer for one message (ws `maxBufferedChunks`, default 262144): a 16 MiB
 * message in 1 KiB segments. Refused with 1008. */
export const DEFAULT_MAX_BUFFERED_CHUNKS = 16_384;

/** How often expired tokens (4401) and silent new connections (1013) are swept: one interval for
 * all connections, so a session ends at most this long after its token. */
export const SESSION_SWEEP_INTERVAL_MS = 1_000;

/** Clock skew tolerated when checking a token's `exp` (and `nbf`), between the token issuer and
 * this server. The session is closed once `exp` plus this leeway has passed. */
export const TOKEN_CLOCK_TOLERANCE_SECONDS = 5;

/** Shortest accepted HS256 secret: 32 characters (≥ 128 bits of entropy from a random base64
 * string); shorter shared secrets can be brute-forced offline from any captured token. */
export const MIN_SECRET_LENGTH = 32;

/** Items in one update sharing one insertion point (same parent, left and right origin). Real
 * edits produce a handful (concurrent typists at one spot); thousands make Yjs's conflict
 * resolution quadratic, which would stall the event loop for everyone. */
export const MAX_CONCURRENT_SIBLINGS_PER_UPDATE = 1_024;

/** How long SIGTERM/SIGINT waits for the final flush before exiting anyway. */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
