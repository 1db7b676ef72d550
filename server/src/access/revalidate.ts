/**
 * Optional re-checks of open sessions (option `revalidateIntervalMs`): every interval, each open
 * connection's original upgrade request goes through `authorize` again. A refusal closes it
 * (401 → 4401, 403 → 4403); a grant applies the new mode (rw → ro makes it a viewer at once) and
 * expiry. This is how revocation and downgrades take effect within one interval when the
 * `authorize` hook can see them (a session store, a token deny-list); stateless tokens alone
 * cannot be revoked before they expire.
 * One interval for all connections; a round that is still running is never started twice.
 * A hook that fails or hangs keeps the session as it is (logged): a session-store outage must
 * not disconnect everyone.
 */
import { CloseCode } from '@quire/shared';
import { AccessDeniedError, type Authorize, type UpgradeRequest } from './access.js';
import { errorMessage, type Logger } from '../log.js';

/** Hook calls in flight at once during a round, so 10k sessions do not hit a store at once. */
export const REVALIDATION_CONCURRENCY = 32;

export interface RevalidatedSession {
  readonly request: UpgradeRequest | undefined;
  readonly isOpen: boolean;
  readOnly: boolean;
  expiresAt: number | undefined;
  close(code: number, reason: string): void;
}

export interface RevalidationOptions {
  intervalMs: number;
  /** Per-call deadline; a call that takes longer keeps the session unchanged. */
  timeoutMs: number;
  authorize: Authorize;
  log: Logger;
}

export async function revalidateSessions(
  sessions: Iterable<RevalidatedSession>,
  options: RevalidationOptions,
): Promise<void> {
  const queue = [...sessions].filter((s) => s.isOpen && s.request !== undefined);
  const worker = async () => {
    for (let session = queue.pop(); session; session = queue.pop()) {
      await revalidate(session, options);
    }
  };
  await Promise.all(Array.from({ length: REVALIDATION_CONCURRENCY }, worker));
}

async function revalidate(session: RevalidatedSession, options: RevalidationOptions) {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('authorize timed out')), options.timeoutMs);
    });
    const access = await Promise.race([
      Promise.resolve(options.authorize(session.request!)),
      timeout,
    ]);
    if (!session.isOpen) return;
    session.readOnly = access.mode === 'ro';
    session.expiresAt = access.expiresAt;
  } catch (error) {
    if (error instanceof AccessDeniedError) {
      const code = error.status === 403 ? CloseCode.Forbidden : CloseCode.Unauthenticated;
      session.close(code, 'access revoked');
      return;
    }
    options.log.warn('revalidation failed; session kept', { error: errorMessage(error) });
  } finally {
    clearTimeout(timer);
  }
}

export function startRevalidation(
  sessions: Iterable<RevalidatedSession>,
  options: RevalidationOptions,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void revalidateSessions(sessions, options).finally(() => {
      running = false;
    });
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
