/**
 * Threat model A12/A13 with an embedder's own check (a cookie session store instead of tokens)
 * and `revalidateIntervalMs`: a revoked session is closed with 4401 and a downgraded one turns
 * into a viewer within one interval; a store that fails keeps sessions as they are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, decodeServerFrame, encodeSyncUpdate } from '@quire/shared';
import { AccessDeniedError, type Authorize } from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';
import { outcome, rawSocketWithHeaders, textUpdate } from './attack.js';
import { startHarness, storedText, type Harness } from './harness.js';

/** A toy session store keyed by the `session` cookie. The harness' canaries use `canary`. */
function sessionStore() {
  const sessions = new Map<string, 'rw' | 'ro'>([['canary', 'rw']]);
  const calls = new Map<string, number>();
  let failing = false;
  const authorize: Authorize = ({ headers }) => {
    const id = /session=([\w-]+)/.exec(headers.cookie ?? '')?.[1] ?? 'canary';
    calls.set(id, (calls.get(id) ?? 0) + 1);
    if (failing) throw new Error('session store unavailable');
    const mode = sessions.get(id);
    if (!mode) throw new AccessDeniedError(401, 'no session');
    return { mode, principal: id };
  };
  return {
    sessions,
    authorize,
    calls: (id: string) => calls.get(id) ?? 0,
    fail: (value: boolean) => (failing = value),
  };
}

describe('A12/A13 revalidation through the authorize hook', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('revocation closes the session with 4401; a downgrade makes it a viewer; a failing store keeps sessions', async () => {
    const store = sessionStore();
    store.sessions.set('alice', 'rw');
    store.sessions.set('bob', 'rw');
    store.sessions.set('carol', 'rw');
    h = await startHarness({ authorize: store.authorize, revalidateIntervalMs: 200 });
    const open = (id: string) =>
      rawSocketWithHeaders(`${h!.wsUrl}/revalidate`, { cookie: `session=${id}` });
    const alice = await open('alice');
    const bob = await open('bob');
    const carol = await open('carol');
    bob.ws.send(encodeSyncUpdate(textUpdate('bob-was-editor ', { clientID: 3101 })));
    await waitFor(() => h!.running.server.metrics.updatesPersisted >= 2, 5_000, 'bob wrote');

    // A store outage: nobody is disconnected.
    store.fail(true);
    const before = store.calls('carol');
    await waitFor(() => store.calls('carol') >= before + 2, 5_000, 'revalidated during the outage');
    expect(h.logs.some((l) => l.includes('revalidation failed; session kept'))).toBe(true);
    store.fail(false);

    store.sessions.delete('alice'); // logout / revocation
    store.sessions.set('bob', 'ro'); // downgrade
    const bobChecks = store.calls('bob');
    expect((await outcome(alice, 5_000)).code).toBe(CloseCode.Unauthenticated);
    // Bob's writes are refused once a round has seen the change.
    await waitFor(() => store.calls('bob') >= bobChecks + 2, 5_000, 'bob revalidated');
    bob.ws.send(encodeSyncUpdate(textUpdate('bob-as-viewer', { clientID: 3102 })));
    await waitFor(
      () => bob.messages.some((m) => decodeServerFrame(m).kind === 'permission-denied'),
      5_000,
      'bob refused',
    );
    expect((await outcome(carol, 300)).code).toBe(-1); // untouched session stays
    bob.ws.close();
    carol.ws.close();
    expect(await storedText(h.storage, 'revalidate')).toBe('bob-was-editor ');
    await h.oracle('revalidate', 'bob-was-editor ');
  });
});
