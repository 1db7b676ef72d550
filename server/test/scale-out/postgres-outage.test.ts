/**
 * Scale-out, PostgreSQL unreachable for 10 s mid-edit (issue #13 case 5): every instance's
 * --database-url goes through one fault proxy, which stalls every connection, old and new (a
 * black hole: no reset, no refusal, queries simply never answer). While it lasts nobody may be
 * told "saved" for anything typed after it began (the ack follows the COMMIT) and every instance
 * says it is not ready; once it is over the replicas converge, every witness is acknowledged
 * everything it typed, and the database holds every marker.
 */
import { afterEach, describe, it } from 'vitest';
import { healed } from '../chaos/invariants.js';
import { Cluster } from './cluster.js';
import { ackedMarkers, type Witness } from './room-checks.js';
import { fail, quietChecks, sleep, spreadRoom, startTyping, TIMING } from './scenario.js';

const OUTAGE_MS = 10_000;

/** Own clock of a witness (it only inserts `[marker]`s). */
const ownClock = (w: Witness) => w.markers.reduce((sum, m) => sum + m.length + 2, 0);

describe('PostgreSQL unreachable under three instances', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('for 10 s mid-edit: no ack for what it could not store, not ready, then nothing lost', async () => {
    const c = (cluster = await Cluster.start({ databaseProxy: true }));
    const spread = await spreadRoom(c, 'scale-pg-outage', 1305);
    startTyping(spread);
    await sleep(TIMING.editMs);

    const proxy = c.databaseProxy;
    proxy.stall();
    const stalledAt = Date.now();
    const before = spread.witnesses.map((w) => ({ w, clock: ownClock(w), acks: w.acks.length }));
    const problems: string[] = [];
    const unready = new Set(c.instances.map((_, i) => i));
    while (Date.now() - stalledAt < OUTAGE_MS) {
      for (const i of [...unready]) if ((await c.readyz(i)) === 503) unready.delete(i);
      await sleep(200);
    }
    for (const i of unready) problems.push(`instance ${i + 1}'s /readyz never said 503`);
    for (const { w, clock, acks } of before) {
      for (const ack of w.acks.slice(acks)) {
        const covered = ack.get(w.doc.clientID) ?? 0;
        if (covered > clock) {
          problems.push(`${w.name} was acked clock ${covered} while it could store ${clock}`);
          break;
        }
      }
    }
    proxy.resume();
    await sleep(TIMING.editMs);

    problems.push(...(await quietChecks(spread, c)));
    const unacked = () =>
      spread.witnesses
        .filter((w) => ackedMarkers(w).length < w.markers.length)
        .map((w) => `${w.name} acked ${ackedMarkers(w).length} of ${w.markers.length} markers`);
    problems.push(...(await healed(unacked, TIMING.healTimeoutMs, spread.room.seed)));
    await fail(problems, c, `after PostgreSQL was unreachable for ${OUTAGE_MS} ms`);
    spread.room.destroy();
  }, 120_000);
});
