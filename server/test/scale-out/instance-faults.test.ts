/**
 * Scale-out, instances die (issue #13 cases 2 and 9): SIGKILL of one instance mid-edit, whose
 * clients move to the others through their door (as behind a load balancer) while one of them
 * dies with it; then every instance SIGKILLed at once with every client gone, and a fresh
 * instance must serve everything that was acknowledged or relayed. One cluster for both (the
 * killed instance is started again after the first case), each case on a document of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healed, presenceProblems } from '../chaos/invariants.js';
import { versionedStockClient, STOCK_VERSIONS } from '../helpers/stock-clients.js';
import { Cluster } from './cluster.js';
import {
  ackedMarkers,
  dropClients,
  lostProblems,
  mustSurvive,
  storedText,
  type Witness,
} from './room-checks.js';
import { fail, quietChecks, sleep, spreadRoom, startTyping, TIMING } from './scenario.js';

describe('instances dying under three instances', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start();
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('SIGKILL of one mid-edit: its clients move on, nothing acked or relayed is lost, its dead clients vanish', async () => {
    const spread = await spreadRoom(c, 'scale-kill', 1302);
    startTyping(spread);
    await sleep(TIMING.editMs);
    // Everyone sees everyone first, or the vanishing below would prove nothing.
    const seen = await healed(
      () => presenceProblems(spread.room.clients),
      TIMING.presenceTimeoutMs,
      spread.room.seed,
    );
    await fail(seen, c, 'presence before the SIGKILL');

    await c.kill(1);
    const killedAt = Date.now();
    // Nothing reaches instance 2's clients any more: what they hold from others was relayed.
    const required = mustSurvive(spread.room);
    // Its witness dies with it (a closed tab: no goodbye reaches anyone); its 3.x and 1.x
    // typists reconnect through their door, which now leads to instance 1, and type on.
    const dying = spread.witnesses.slice(1, 2);
    // It was acknowledged something, or "nothing acked is lost" would prove nothing.
    expect(ackedMarkers(dying[0]!).length).toBeGreaterThan(0);
    const movers = spread.on(1).filter((client) => !dying.includes(client as Witness));
    dropClients(spread.room, dying);
    const deadIds = new Set(dying.map((d) => d.doc.clientID));
    const ghosts = () =>
      spread.room.clients.flatMap((viewer) =>
        [...viewer.provider.awareness.getStates().keys()]
          .filter((id) => deadIds.has(id))
          .map((id) => `${viewer.name} still sees ${id} (died with instance 2)`),
      );
    const gone = await healed(ghosts, TIMING.ghostTimeoutMs, spread.room.seed);
    await fail(gone, c, `cursors of dead clients after ${Date.now() - killedAt} ms`);

    await sleep(TIMING.editMs);
    await fail(await quietChecks(spread, c, required), c, 'after the SIGKILL');
    expect(movers.map((m) => m.provider.wsconnected)).toEqual([true, true]);
    spread.room.destroy();
    await c.revive(1);
  }, 90_000);

  it('every instance SIGKILLed: a fresh instance serves everything acked or relayed', async () => {
    const spread = await spreadRoom(c, 'scale-all-killed', 1309);
    startTyping(spread);
    await sleep(2 * TIMING.editMs);

    await c.killAll();
    const required = mustSurvive(spread.room);
    const everything = spread.room.allMarkers().length;
    for (const w of spread.witnesses) expect(ackedMarkers(w).length).toBeGreaterThan(0);
    dropClients(spread.room, [...spread.room.clients]);
    expect(required.size).toBeGreaterThan(everything / 2);

    const fresh = await c.addInstance();
    const stored = await storedText(c.db.url, spread.room.docName);
    const problems = lostProblems(stored, required, 'the database');
    for (const version of STOCK_VERSIONS) {
      const reader = versionedStockClient(version, c.url(fresh), spread.room.docName);
      const synced = await healed(
        () => (reader.provider.synced ? [] : [`fresh ${version} reader not synced`]),
        TIMING.healTimeoutMs,
        spread.room.seed,
      );
      const text = reader.text.toString();
      reader.destroy();
      problems.push(...synced, ...lostProblems(text, required, `a fresh ${version} reader`));
      if (synced.length === 0 && text !== stored) {
        problems.push(`a fresh ${version} reader's text differs from the database's`);
      }
    }
    await fail(problems, c, 'after every instance died');
  }, 90_000);
});
