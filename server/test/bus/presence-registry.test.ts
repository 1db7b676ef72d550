/**
 * The room's awareness registry with other instances' clients in it (RemoteOwner): who may
 * change which client ID, what an "everything" message replaces, and the tombstones of departed
 * clients, which go once they are old enough that nobody still echoes them, so a long-lived room
 * does not keep every client that ever passed through it.
 */
import { describe, expect, it } from 'vitest';
import type { AwarenessEntry } from '@quire/shared';
import {
  AwarenessRegistry,
  RemoteOwner,
  TOMBSTONE_KEEP_MS,
} from '../../src/room/awareness-registry.js';

const entry = (clientID: number, clock: number, state: unknown): AwarenessEntry => ({
  clientID,
  clock,
  stateJSON: state === null ? 'null' : JSON.stringify(state),
});

describe('AwarenessRegistry with other instances', () => {
  const setup = () => {
    let now = 1_000_000;
    const registry = new AwarenessRegistry(10_000, () => now);
    return { registry, advance: (ms: number) => (now += ms), now: () => now };
  };

  it("keeps another instance's IDs from local connections, and local IDs from other instances", () => {
    const { registry } = setup();
    const a = new RemoteOwner('a');
    registry.applyRemote(a, [entry(1, 5, { user: { name: 'Ada' } })], false, 100);
    const local = {};
    const localIds = new Set<number>();
    const verdict = registry.apply(local, localIds, [entry(1, 99, { user: { name: 'Eve' } })]);
    expect(verdict).toMatchObject({ ok: true, accepted: [], dropped: 1 });
    registry.apply(local, localIds, [entry(2, 1, { user: { name: 'Bob' } })]);
    const stolen = registry.applyRemote(
      a,
      [entry(2, 9, { user: { name: 'Mallory' } })],
      false,
      100,
    );
    expect(stolen.accepted).toEqual([]);
    expect(registry.present().map((e) => [e.clientID, JSON.parse(e.stateJSON).user.name])).toEqual([
      [1, 'Ada'],
      [2, 'Bob'],
    ]);
    expect(registry.localPresent().map((e) => e.clientID)).toEqual([2]);
  });

  it('takes stale entries from no one, lets a client move between instances, and replaces on "everything"', () => {
    const { registry } = setup();
    const [a, c] = [new RemoteOwner('a'), new RemoteOwner('c')];
    registry.applyRemote(a, [entry(1, 5, { n: 1 }), entry(2, 5, { n: 2 })], false, 100);
    expect(registry.applyRemote(a, [entry(1, 4, { n: 0 })], false, 100).accepted).toEqual([]);
    // Client 2 reconnected to instance c: c announces it; a's later removal no longer applies.
    expect(registry.applyRemote(c, [entry(2, 1, { n: 3 })], false, 100).accepted).toHaveLength(1);
    expect(registry.applyRemote(a, [entry(2, 6, null)], false, 100).accepted).toEqual([]);
    expect([...a.ids]).toEqual([1]);
    // Everything from a is now nothing: client 1 goes, c's client 2 stays.
    const removed = registry.applyRemote(a, [], true, 100).accepted;
    expect(removed.map((e) => [e.clientID, e.stateJSON])).toEqual([[1, 'null']]);
    expect(registry.present().map((e) => e.clientID)).toEqual([2]);
  });

  it('forgets tombstones once they are older than TOMBSTONE_KEEP_MS, with relay clocks still rising', () => {
    const { registry, advance, now } = setup();
    const a = new RemoteOwner('a');
    for (let i = 0; i < 300; i++) {
      registry.applyRemote(a, [entry(i, 1, {})], false, 1_000);
      registry.applyRemote(a, [entry(i, 2, null)], false, 1_000);
    }
    expect(registry.size).toBe(300); // young tombstones stay: an echo would revive a ghost
    advance(TOMBSTONE_KEEP_MS + 1_000);
    for (let i = 1_000; i < 1_300; i++) {
      registry.applyRemote(a, [entry(i, 1, {})], false, 1_000);
      registry.applyRemote(a, [entry(i, 2, null)], false, 1_000);
    }
    expect(registry.size).toBe(300); // the first 300 were swept; the young ones stay
    const back = registry.applyRemote(a, [entry(0, 3, {})], false, 1_000).accepted;
    expect(back[0]!.clock).toBeGreaterThanOrEqual(now());
  });
});
