/**
 * Every WebSocket close code Quire sends, by name, and what a client may do after each.
 *
 * Stock y-websocket 3.x providers never reconnect after a code in 4400–4499 (they read the band
 * as HTTP 4xx: "retrying cannot help") and reconnect after every other code; 1.x providers
 * reconnect after everything. So a 44xx code is only for what no retry can fix, and every passing
 * condition (overload, a slow link, a late handshake, a restart) uses an RFC 6455 code that every
 * stock client retries after. shared/PROTOCOL.md has the table; the README links to it.
 */
export const CloseCode = {
  /** Server shutting down, after flushing everything; clients reconnect (to this or another
   * instance). */
  GoingAway: 1001,
  /** A text frame: the protocol is binary only. */
  UnsupportedData: 1003,
  /** The document could not be loaded, or another server-side failure; retry with backoff. */
  InternalError: 1011,
  /** A passing condition: a slow reader whose buffer did not drain in time, a client that sent
   * nothing within the handshake timeout, the new-document quota, overload. Retry later. */
  TryAgainLater: 1013,
  /** Malformed bytes, or a client that keeps sending what the protocol forbids. Final. */
  BadMessage: 4400,
  /** Missing, invalid or expired credentials. Final: a new token is needed. */
  Unauthenticated: 4401,
  /** Credentials valid but not for this document or action. Final. */
  Forbidden: 4403,
  /** The document or an awareness state passed a size limit. Final: resending the same state
   * would pass it again. */
  TooLarge: 4413,
  /** The document was deleted (document API). Final: reconnecting is refused with HTTP 410,
   * so a client's local copy cannot bring the document back. */
  Gone: 4410,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The band stock y-websocket 3.x treats as final (its default `shouldReconnect`). */
const FINAL_BAND_START = 4400;
const FINAL_BAND_END = 4499;

/** Whether a stock y-websocket 3.x client stops reconnecting after `code`. Quire sends a code in
 * this band only when a retry cannot succeed. */
export function isFinalCloseCode(code: number): boolean {
  return code >= FINAL_BAND_START && code <= FINAL_BAND_END;
}

export function closeCodeName(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) {
    if (value === code) return name;
  }
  return `Unknown(${code})`;
}
