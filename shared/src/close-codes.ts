/**
 * Every WebSocket close code Quire sends, by name. 1xxx are RFC 6455 codes; 44xx mirror the HTTP
 * status a client would recognise (4400 ≈ 400 Bad Request, …). The README lists them all.
 */
export const CloseCode = {
  /** Server shutting down; clients reconnect (to this or another instance). */
  GoingAway: 1001,
  /** A text frame: the protocol is binary only. */
  UnsupportedData: 1003,
  /** The document could not be loaded or another server-side failure. */
  InternalError: 1011,
  /** Malformed or unexpected binary message. Clients do not retry. */
  BadMessage: 4400,
  /** Missing, invalid or expired credentials. Clients do not retry. */
  Unauthenticated: 4401,
  /** Credentials valid but not for this document or action. Clients do not retry. */
  Forbidden: 4403,
  /** The client did not finish its handshake in time. */
  HandshakeTimeout: 4408,
  /** A message, awareness state or document exceeded a size limit. */
  TooLarge: 4413,
  /** Rate limited, or a slow consumer whose send buffer passed the high-water mark. */
  RateLimited: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which a client must not reconnect on its own: retrying cannot succeed. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.BadMessage,
  CloseCode.Unauthenticated,
  CloseCode.Forbidden,
]);

export function closeCodeName(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) {
    if (value === code) return name;
  }
  return `Unknown(${code})`;
}
