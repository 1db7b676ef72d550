/**
 * The contract every DocumentBus must meet (bus/adapter.ts). Each adapter's test file calls
 * `describeDocumentBus` with a factory that connects a number of instances to one bus (one hub,
 * one Redis server…). The bus is a doorbell: nothing here asks for delivery guarantees beyond
 * "live subscriptions hear other instances' messages".
 */
import { describe, expect, it } from 'vitest';
import type { BusEnvelope, DocumentBus, InstanceEnvelope } from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';

export interface BusFactory {
  /** `count` instances on one fresh bus; `cleanup` closes what the factory opened. */
  create(count: number): Promise<{ buses: DocumentBus[]; cleanup(): Promise<void> }>;
}

const update = (...bytes: number[]) => ({
  kind: 'update' as const,
  update: Uint8Array.from(bytes),
});

export function describeDocumentBus(name: string, factory: BusFactory): void {
  describe(`DocumentBus acceptance: ${name}`, () => {
    const withBuses = async (count: number, fn: (buses: DocumentBus[]) => Promise<void>) => {
      const { buses, cleanup } = await factory.create(count);
      try {
        await fn(buses);
      } finally {
        for (const bus of buses) await bus.close().catch(() => {});
        await cleanup();
      }
    };

    it('delivers what another instance publishes once the subscription is live, with its instance id', () =>
      withBuses(2, async ([a, b]) => {
        const got: BusEnvelope[] = [];
        await b!.subscribe('doc', (e) => got.push(e));
        a!.publish('doc', update(1, 2, 3));
        await waitFor(() => got.length === 1, 5_000, 'delivery');
        expect(got[0]).toEqual({
          instanceId: a!.instanceId,
          docName: 'doc',
          message: update(1, 2, 3),
        });
        expect(a!.instanceId).not.toBe(b!.instanceId);
      }));

    it('never delivers an instance its own messages', () =>
      withBuses(2, async ([a, b]) => {
        const own: BusEnvelope[] = [];
        const other: BusEnvelope[] = [];
        await a!.subscribe('doc', (e) => own.push(e));
        await b!.subscribe('doc', (e) => other.push(e));
        a!.publish('doc', update(7));
        await waitFor(() => other.length === 1, 5_000, 'delivery to the other instance');
        b!.publish('doc', update(8)); // a marker: once it arrives, a's own message would have too
        await waitFor(() => own.length === 1, 5_000, 'the marker');
        expect(own.map((e) => e.message)).toEqual([update(8)]);
      }));

    it('keeps documents apart, awareness and updates alike', () =>
      withBuses(2, async ([a, b]) => {
        const one: BusEnvelope[] = [];
        const two: BusEnvelope[] = [];
        await b!.subscribe('one', (e) => one.push(e));
        await b!.subscribe('two', (e) => two.push(e));
        a!.publish('two', { kind: 'awareness', update: Uint8Array.of(1) });
        a!.publish('one', update(2));
        await waitFor(() => one.length === 1 && two.length === 1, 5_000, 'both documents');
        expect(one[0]!.message).toEqual(update(2));
        expect(two[0]!.message).toEqual({ kind: 'awareness', update: Uint8Array.of(1) });
      }));

    it('hands every subscriber its own bytes: a receiver cannot change what another receives', () =>
      withBuses(3, async ([a, b, c]) => {
        const seen: Uint8Array[] = [];
        await b!.subscribe('doc', (e) => {
          e.message.update[0] = 99;
        });
        await c!.subscribe('doc', (e) => seen.push(e.message.update));
        const sent = Uint8Array.of(5, 5);
        a!.publish('doc', { kind: 'update', update: sent });
        await waitFor(() => seen.length === 1, 5_000, 'delivery');
        expect(seen[0]).toEqual(Uint8Array.of(5, 5));
        expect(sent).toEqual(Uint8Array.of(5, 5));
      }));

    it('stops delivering after unsubscribe, and a throwing subscriber does not stop the others', () =>
      withBuses(3, async ([a, b, c]) => {
        const got: BusEnvelope[] = [];
        const stop = await b!.subscribe('doc', () => {
          throw new Error('a broken subscriber');
        });
        await c!.subscribe('doc', (e) => got.push(e));
        a!.publish('doc', update(1));
        await waitFor(() => got.length === 1, 5_000, 'delivery despite the broken subscriber');
        await stop();
        const later: BusEnvelope[] = [];
        await c!.subscribe('doc', (e) => later.push(e));
        a!.publish('doc', update(2));
        await waitFor(() => later.length === 1, 5_000, 'delivery after unsubscribe');
      }));

    it('never throws from publish, not even after close', () =>
      withBuses(1, async ([a]) => {
        await a!.close();
        expect(() => a!.publish('doc', update(1))).not.toThrow();
      }));

    // The instance channel (heartbeats, goodbyes: bus/instance-heartbeat.ts).
    it("delivers an instance's announcements to every other instance, never to itself", () =>
      withBuses(3, async ([a, b, c]) => {
        const got = new Map<string, InstanceEnvelope[]>();
        for (const bus of [a!, b!, c!]) {
          got.set(bus.instanceId, []);
          await bus.subscribeInstances!((e) => got.get(bus.instanceId)!.push(e));
        }
        a!.announce!({ kind: 'heartbeat' });
        a!.announce!({ kind: 'goodbye' });
        const of = (bus: DocumentBus) => got.get(bus.instanceId)!;
        await waitFor(() => of(b!).length === 2 && of(c!).length === 2, 5_000, 'announcements');
        expect(of(b!)).toEqual([
          { instanceId: a!.instanceId, message: { kind: 'heartbeat' } },
          { instanceId: a!.instanceId, message: { kind: 'goodbye' } },
        ]);
        c!.announce!({ kind: 'heartbeat' }); // a marker: a's own would have arrived before it
        await waitFor(() => of(a!).length === 1, 5_000, 'the marker');
        expect(of(a!)[0]!.instanceId).toBe(c!.instanceId);
      }));

    it('keeps announcements and documents apart, even a document named like the channel', () =>
      withBuses(2, async ([a, b]) => {
        const docs: BusEnvelope[] = [];
        const announced: InstanceEnvelope[] = [];
        for (const name of ['instances', 'doc:instances', '']) {
          await b!.subscribe(name, (e) => docs.push(e));
        }
        await b!.subscribeInstances!((e) => announced.push(e));
        a!.announce!({ kind: 'heartbeat' });
        a!.publish('instances', update(1));
        await waitFor(() => announced.length === 1 && docs.length === 1, 5_000, 'both');
        expect(docs[0]!.docName).toBe('instances');
        expect(announced[0]!.message).toEqual({ kind: 'heartbeat' });
      }));

    it('stops announcing to an ended subscription, and never throws from announce after close', () =>
      withBuses(2, async ([a, b]) => {
        const got: InstanceEnvelope[] = [];
        const stop = await b!.subscribeInstances!((e) => got.push(e));
        await stop();
        const later: InstanceEnvelope[] = [];
        await b!.subscribeInstances!((e) => later.push(e));
        a!.announce!({ kind: 'heartbeat' });
        await waitFor(() => later.length === 1, 5_000, 'the live subscription');
        expect(got).toEqual([]);
        await a!.close();
        expect(() => a!.announce!({ kind: 'goodbye' })).not.toThrow();
      }));
  });
}
