/**
 * One interval for every connection (never a timer each): closes sessions whose token expired
 * (4401) and new connections that never sent a message within the handshake timeout (1013: a
 * stalled link is a passing condition, so stock clients must retry).
 */
import { CloseCode } from '@quire/shared';

export interface SweptSession {
  /** Milliseconds since the epoch when access ends, if it does. */
  readonly expiresAt: number | undefined;
  /** Milliseconds since the epoch by which the first message must arrive; null once it has. */
  readonly firstMessageDeadline: number | null;
  close(code: number, reason: string): void;
}

export function sweepSessions(sessions: Iterable<SweptSession>, now: number = Date.now()): void {
  for (const session of sessions) {
    if (session.expiresAt !== undefined && now >= session.expiresAt) {
      session.close(CloseCode.Unauthenticated, 'token expired');
    } else if (session.firstMessageDeadline !== null && now >= session.firstMessageDeadline) {
      session.close(CloseCode.TryAgainLater, 'no message within the handshake timeout');
    }
  }
}

export function startSessionSweep(
  sessions: Iterable<SweptSession>,
  intervalMs: number,
): () => void {
  const timer = setInterval(() => sweepSessions(sessions), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
