/**
 * A Quire server for the end-to-end webhook tests: token auth, SQLite in the given directory,
 * its webhooks signed and sent to a test receiver (receiver.ts), debounced and polled for
 * quickly; and whether its outbox has sent everything, which tells a test that no event is
 * still coming.
 */
import type { QuireServerOptions } from '../../src/index.js';
import { waitFor } from '../helpers/poll.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import type { Receiver } from './receiver.js';

/** Signs the tests' access tokens. */
export const TOKEN_SECRET = 'token-secret-0123456789abcdef0123456789';
/** Signs the webhooks; the receiver verifies with it. */
export const HOOK_SECRET = 'hook-secret-0123456789abcdef0123456789';

/** `options` add to these or override them, e.g. the debounce and poll interval (50 ms each
 * here, so no event lingers in a test). */
export function startHookedServer(
  receiver: Receiver,
  dataDir: string,
  options: QuireServerOptions = {},
): Promise<RunningServer> {
  return startServer({
    dataDir,
    secret: TOKEN_SECRET,
    webhookUrls: [receiver.url],
    webhookSecret: HOOK_SECRET,
    webhookChangeDebounceMs: 50,
    webhookPollIntervalMs: 50,
    ...options,
  });
}

/** Waits until `running`'s outbox holds no pending event (each was delivered or
 * dead-lettered): anything wrongly queued has arrived by then. */
export function allSent(running: RunningServer): Promise<void> {
  const pending = async () => {
    const receivers = running.server.webhooks!.receivers.map((r) => r.key);
    return (await running.server.storage.outbox!.stats(receivers, Date.now())).pending;
  };
  return waitFor(async () => (await pending()) === 0, 5_000, 'the outbox to empty');
}
