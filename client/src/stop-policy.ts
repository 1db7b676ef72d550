/**
 * The one list of answers after which the Quire editor stops reconnecting, and what it tells the
 * person in each case. Everything not listed here is retried with jittered backoff.
 *
 * Why this differs from stock y-websocket 3.x (which stops after any close code in 4400–4499,
 * see `isFinalCloseCode` in @quire/shared): a stopped editor locks its user out until a reload,
 * which is only right when no reload without a new link could help either. That holds for
 * refused credentials (4401 / HTTP 401), withdrawn access (4403 / 403), a deleted document
 * (4410 on an open socket, HTTP 410 from the upgrade) and a document name the server does not accept (HTTP 400 from the
 * upgrade). It does not hold for 4400 (the server rejected one message: a reconnect starts a
 * fresh sync that resends everything in one well-formed exchange) nor for 4413 (the document or
 * a presence state over a limit: someone else may shrink it, an operator may raise the limit,
 * and our own edits stay local meanwhile). After those the editor keeps retrying, with the
 * backoff growing, and says why in its status; it never turns read-only.
 */
import { CloseCode } from '@quire/shared';

/** HTTP status of an upgrade (or access probe) for a document that was deleted. */
export const HTTP_GONE = 410;

/** Why the editor stopped for good. */
export type StopReason = 'unauthenticated' | 'forbidden' | 'gone' | 'invalid-name';

interface StopRule {
  reason: StopReason;
  /** The WebSocket close code a server sends for it, when there is one. */
  closeCode: number | null;
  /** The HTTP status the upgrade and the access probe answer for it. */
  httpStatus: number;
}

const STOP_RULES: readonly StopRule[] = [
  { reason: 'unauthenticated', closeCode: CloseCode.Unauthenticated, httpStatus: 401 },
  { reason: 'forbidden', closeCode: CloseCode.Forbidden, httpStatus: 403 },
  { reason: 'gone', closeCode: CloseCode.Gone, httpStatus: HTTP_GONE },
  { reason: 'invalid-name', closeCode: null, httpStatus: 400 },
];

/** The reason to stop after the server closed an open socket with `code`, or null to retry. */
export function stopReasonForClose(code: number): StopReason | null {
  return STOP_RULES.find((rule) => rule.closeCode === code)?.reason ?? null;
}

/** The reason to stop after the upgrade (or the access probe) answered `status`, or null. */
export function stopReasonForHttpStatus(status: number): StopReason | null {
  return STOP_RULES.find((rule) => rule.httpStatus === status)?.reason ?? null;
}

/** What the editor shows once it stopped; `detail` is the server's reason, when it gave one. */
export function stopMessage(reason: StopReason, detail: string): string {
  const because = detail ? ` (${detail})` : '';
  switch (reason) {
    case 'unauthenticated':
      return `Not signed in: the access link is missing, invalid or expired${because}. Ask for a new link and reload.`;
    case 'forbidden':
      return `No access: this link does not allow opening this document${because}.`;
    case 'gone':
      return `This document was deleted${because}.`;
    case 'invalid-name':
      return `The server does not accept this document name${because}.`;
  }
}

/**
 * A few words on why the server closed a socket we will reconnect, for the status label; null
 * when it is an ordinary outage or restart that needs no explanation.
 */
export function retryNotice(code: number): string | null {
  switch (code) {
    case CloseCode.InternalError:
      return 'server error';
    case CloseCode.TryAgainLater:
      return 'server busy';
    case CloseCode.BadMessage:
      return 'message rejected';
    case CloseCode.TooLarge:
      return 'document too large';
    default:
      return null;
  }
}
