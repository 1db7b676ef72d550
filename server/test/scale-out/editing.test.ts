/**
 * Scale-out, no instance dies (issue #13 cases 1, 6, 7, 8, and presence): three instances on one
 * PostgreSQL database and one Redis, stock 1.x and 3.x clients on all of them. One cluster
 * serves every case here (each on a document of its own); see cluster.ts for the setup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healed } from '../chaos/invariants.js';
import { markerCounts } from '../chaos/harness.js';
import { Cluster } from './cluster.js';
import { poisonMessages, publishRaw } from './poison.js';
import { fail, quietChecks, sleep, spreadRoom, startTyping, TIMING } from './scenario.js';

/** Big enough that two pastes per round push an instance past the default compaction
 * threshold (1 MiB appended), so two instances cross it in the same moment. */
const PASTE_FILLER_BYTES = 600 * 1024;
/** The periodic head-seq check must heal a lost last message within this. */
const LOST_MESSAGE_TIMEOUT_MS = 20_000;

describe('three instances serving one document', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // At level info, so the compaction case can see which compactions lost the race.
    cluster = await Cluster.start({ busLinks: true, logLevel: 'info' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('converge under concurrent editing on every instance, with presence everywhere', async () => {
    const spread = await spreadRoom(cluster, 'scale-concurrent', 1301);
    startTyping(spread);
    await sleep(2 * TIMING.editMs);
    await fail(await quietChecks(spread, cluster), cluster, 'concurrent editing');

    // A cursor set on instance 1 reaches the clients of instances 2 and 3.
    const [mover] = spread.on(0);
    mover!.provider.awareness.setLocalStateField('cursor', { anchor: 7, head: 9 });
    const others = [...spread.on(1), ...spread.on(2)];
    const cursorProblems = () =>
      others
        .filter((c) => {
          const state = c.provider.awareness.getStates().get(mover!.doc.clientID) as
            { cursor?: { anchor: number; head: number } } | undefined;
          return state?.cursor?.anchor !== 7 || state.cursor.head !== 9;
        })
        .map((c) => `${c.name} does not see ${mover!.name}'s cursor`);
    await fail(
      await healed(cursorProblems, TIMING.presenceTimeoutMs, spread.room.seed),
      cluster,
      'cursor',
    );
    spread.room.destroy();
    expect(spread.room.clients).toEqual([]);
  }, 60_000);

  it('shrug off poison on the bus: garbage, forged envelopes and gapped updates', async () => {
    const spread = await spreadRoom(cluster, 'scale-poison', 1306);
    startTyping(spread);
    await sleep(TIMING.editMs);
    const sent = await publishRaw(cluster.redis.url, spread.room.docName, poisonMessages());
    await sleep(TIMING.editMs);
    const problems = await quietChecks(spread, cluster);
    if (!cluster.instances.every((s) => s.running)) problems.push('an instance exited');
    await fail(problems, cluster, `after ${sent} poison messages`);
    spread.room.destroy();

    // Nothing on the bus stalls anyone: a fresh document is served across instances at once.
    const other = await spreadRoom(cluster, 'scale-poison-after', 1316);
    startTyping(other);
    await sleep(TIMING.editMs);
    await fail(await quietChecks(other, cluster), cluster, 'a document after the poison');
    other.room.destroy();
  }, 90_000);

  it('converge while two instances compact one document at once under writes', async () => {
    // Per instance: compactions done, plus those refused because the other one compacted first.
    const compactions = () =>
      Promise.all(
        [0, 1].map(
          async (i) =>
            (await cluster.metric(i, 'compactions_total')) +
            cluster.instances[i]!.countOutput(/compaction skipped: another writer/),
        ),
      );
    const before = await compactions();
    const spread = await spreadRoom(cluster, 'scale-compaction', 1307);
    startTyping(spread);
    const [pasterA, pasterB] = [spread.on(0)[0]!, spread.on(1)[0]!];
    for (let round = 0; round < 3; round++) {
      await sleep(TIMING.editMs / 2);
      for (let i = 0; i < 2; i++) {
        spread.room.type(pasterA, { placement: 'end', fillerBytes: PASTE_FILLER_BYTES });
        spread.room.type(pasterB, { placement: 'end', fillerBytes: PASTE_FILLER_BYTES });
      }
    }
    await sleep(TIMING.editMs);
    const problems = await quietChecks(spread, cluster);
    const [row] = await cluster.db.query<{ compacted_through: string }>(
      'SELECT compacted_through FROM quire_documents WHERE name = $1',
      [spread.room.docName],
    );
    if (!(Number(row?.compacted_through ?? 0) > 0))
      problems.push('the document was never compacted');
    const after = await compactions();
    for (const i of [0, 1]) {
      if (after[i]! <= before[i]!) problems.push(`instance ${i + 1} never tried to compact`);
    }
    await fail(problems, cluster, 'compactions racing');
    spread.room.destroy();
  }, 90_000);

  it('deliver the last edit everywhere when its bus message is lost and the document goes idle', async () => {
    const spread = await spreadRoom(cluster, 'scale-lost-last', 1308);
    startTyping(spread);
    await sleep(TIMING.editMs);
    spread.room.stopTyping();
    const before = await quietChecks(spread, cluster, [], { presence: false });
    await fail(before, cluster, 'before losing a message');

    // Instance 3 loses every update delivery while one client on instance 1 types once.
    const link = cluster.busLinks[2]!;
    const droppedBefore = link.dropped;
    link.dropping = true;
    const marker = spread.room.type(spread.on(0)[0]!);
    const holds = (clients: typeof spread.room.clients) => () =>
      clients
        .filter((c) => !markerCounts(c.text.toString()).has(marker))
        .map((c) => `${c.name} lacks ${marker}`);
    const delivered = await healed(holds(spread.on(1)), TIMING.healTimeoutMs, spread.room.seed);
    await fail(delivered, cluster, 'the edit did not reach instance 2');
    await healed(() => (link.dropped > droppedBefore ? [] : ['not yet']), 5_000, 0);
    link.dropping = false;
    expect(link.dropped).toBeGreaterThan(droppedBefore);

    // Idle from here on: only instance 3's own check of the head seq can bring the edit.
    const healedThree = await healed(
      holds(spread.on(2)),
      LOST_MESSAGE_TIMEOUT_MS,
      spread.room.seed,
    );
    await fail(healedThree, cluster, 'the lost last edit never reached instance 3');
    await fail(await quietChecks(spread, cluster), cluster, 'after the lost message');
    spread.room.destroy();
  }, 90_000);
});
