/**
 * RedisBus against the machine's real Redis 7 on 127.0.0.1:6379: the shared acceptance suite,
 * then what only a network bus has — a binary wire format, bytes someone else publishes on a
 * document's channel, Redis subscriptions shared by local subscribers. Every bus gets a key
 * prefix of its own, so runs and tests never hear each other.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { BusEnvelope, BusMessage, Logger } from '../../src/index.js';
import type { LogFields } from '../../src/log.js';
import { silentLogger } from '../../src/index.js';
import { RedisBus } from '../../src/bus/redis.js';
import { decodeBusMessage, encodeBusMessage, encodeInstanceId } from '../../src/bus/redis-codec.js';
import { waitFor } from '../helpers/poll.js';
import { rawRedis, requireSharedRedis, SHARED_REDIS_URL } from '../helpers/redis.js';
import { describeDocumentBus } from './bus-acceptance.js';

const runPrefix = `quire-test:${randomUUID()}:`;
let prefixes = 0;
const freshPrefix = () => `${runPrefix}${prefixes++}:`;

beforeAll(requireSharedRedis);

describeDocumentBus('Redis pub/sub (RedisBus)', {
  create: async (count) => {
    const keyPrefix = freshPrefix();
    const buses = Array.from(
      { length: count },
      () => new RedisBus({ url: SHARED_REDIS_URL, keyPrefix, logger: silentLogger }),
    );
    return { buses, cleanup: async () => void (await Promise.all(buses.map((b) => b.close()))) };
  },
});

const update = (...bytes: number[]): BusMessage => ({
  kind: 'update',
  update: Uint8Array.from(bytes),
});

describe('RedisBus on a real Redis', () => {
  const opened: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close().catch(() => {});
  });

  const setup = (logger: Logger = silentLogger) => {
    const keyPrefix = freshPrefix();
    const bus = () => {
      const b = new RedisBus({ url: SHARED_REDIS_URL, keyPrefix, logger });
      opened.push(b);
      return b;
    };
    const raw = (): Redis => {
      const client = rawRedis(SHARED_REDIS_URL);
      opened.push({ close: () => client.quit() });
      return client;
    };
    const numsub = async (client: Redis, docName: string) => {
      const reply = (await client.pubsub('NUMSUB', `${keyPrefix}doc:${docName}`)) as unknown[];
      return Number(reply[1]);
    };
    return { keyPrefix, bus, raw, numsub };
  };

  it('sends a small binary envelope, carrying seq and kind, not JSON', async () => {
    const { keyPrefix, bus, raw } = setup();
    const [a, b] = [bus(), bus()];
    const got: BusEnvelope[] = [];
    await b.subscribe('doc', (e) => got.push(e));
    const listener = raw();
    const frames: Buffer[] = [];
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => frames.push(message));
    await listener.subscribe(`${keyPrefix}doc:doc`);
    const payload = Uint8Array.of(0, 255, 1, 2);
    a.publish('doc', { kind: 'update', update: payload, seq: 2 ** 53 - 1 });
    a.publish('doc', { kind: 'awareness', update: payload });
    await waitFor(() => got.length === 2 && frames.length === 2, 5_000, 'both messages');
    expect(got.map((e) => e.message)).toEqual([
      { kind: 'update', update: payload, seq: 2 ** 53 - 1 },
      { kind: 'awareness', update: payload },
    ]);
    const idBytes = Buffer.byteLength(a.instanceId);
    // version, kind, id length, id, (8-byte seq), payload: nothing else on the wire
    expect(frames.map((f) => f.length)).toEqual([3 + idBytes + 8 + 4, 3 + idBytes + 4]);
    expect(frames[0]!.subarray(-4)).toEqual(Buffer.from(payload));
  });

  it('drops and counts garbage published on a document channel, logging the document but never the bytes, and later messages still arrive', async () => {
    const warnings: { message: string; fields?: LogFields }[] = [];
    const { keyPrefix, bus, raw } = setup({
      ...silentLogger,
      warn: (message, fields) => warnings.push(fields ? { message, fields } : { message }),
    });
    const [a, b] = [bus(), bus()];
    const got: BusEnvelope[] = [];
    const other: BusEnvelope[] = [];
    await b.subscribe('doc', (e) => got.push(e));
    await b.subscribe('other', (e) => other.push(e));
    const id = encodeInstanceId('intruder');
    const valid = encodeBusMessage(id, { kind: 'update', update: Uint8Array.of(1), seq: 1 });
    const tooBigSeq = Buffer.from(valid);
    tooBigSeq.writeBigUInt64BE(2n ** 53n, 3 + id.length);
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('{"kind":"update","update":"AQI="}'),
      Buffer.from([2, 1, 1, 0x61, 7]), // unknown version
      Buffer.from([1, 9, 1, 0x61, 7]), // unknown kind
      Buffer.from([1, 1, 0, 7]), // empty instance id
      Buffer.from([1, 1, 200, 0x61]), // id longer than the message
      Buffer.from([1, 1, 2, 0xc3, 0x28, 7]), // id not UTF-8
      valid.subarray(0, 3 + id.length + 4), // seq cut short
      tooBigSeq,
    ];
    const publisher = raw();
    for (const bytes of garbage) await publisher.publish(`${keyPrefix}doc:doc`, bytes);
    a.publish('doc', update(42));
    a.publish('other', update(43));
    await waitFor(() => got.length === 1 && other.length === 1, 5_000, 'the real messages');
    expect(got[0]!.message).toEqual(update(42));
    expect(other[0]!.message).toEqual(update(43));
    expect(b.malformedMessages).toBe(garbage.length);
    expect(a.malformedMessages).toBe(0);
    expect(warnings).toHaveLength(garbage.length);
    for (const w of warnings) {
      expect(w.fields?.doc).toBe('doc');
      expect(JSON.stringify(w)).not.toContain('AQI=');
    }
  });

  it('keeps apart documents whose names differ only in case or Unicode normalization', async () => {
    const { bus } = setup();
    const [a, b] = [bus(), bus()];
    const names = ['Notes', 'notes', 'caf\u00e9', 'cafe\u0301', 'team/\u00fcber', 'team/\u00dcber'];
    const got = new Map<string, number[]>(names.map((n) => [n, []]));
    for (const name of names) {
      await b.subscribe(name, (e) => {
        expect(e.docName).toBe(name);
        got.get(name)!.push(e.message.update[0]!);
      });
    }
    names.forEach((name, i) => a.publish(name, update(i)));
    await waitFor(() => [...got.values()].every((g) => g.length > 0), 5_000, 'every document');
    a.publish(names[0]!, update(99)); // a marker: anything misrouted would have arrived by now
    await waitFor(() => got.get(names[0]!)!.length === 2, 5_000, 'the marker');
    expect(names.map((name) => got.get(name))).toEqual(names.map((_, i) => (i ? [i] : [0, 99])));
  });

  it('shares one Redis subscription between local subscribers, confirmed before subscribe resolves, and unsubscribes when the last one leaves', async () => {
    const { bus, raw, numsub } = setup();
    const [a, b] = [bus(), bus()];
    const admin = raw();
    const first: BusEnvelope[] = [];
    const second: BusEnvelope[] = [];
    const stopFirst = await b.subscribe('doc', (e) => first.push(e));
    expect(await numsub(admin, 'doc')).toBe(1);
    const stopSecond = await b.subscribe('doc', (e) => {
      second.push(e);
      e.message.update[0] = 0; // its own copy: the first subscriber still sees 7
    });
    expect(await numsub(admin, 'doc')).toBe(1);
    a.publish('doc', update(7));
    await waitFor(() => first.length === 1 && second.length === 1, 5_000, 'both subscribers');
    expect(first[0]!.message).toEqual(update(7));
    await stopSecond();
    expect(await numsub(admin, 'doc')).toBe(1);
    await stopFirst();
    expect(await numsub(admin, 'doc')).toBe(0);
    await stopFirst(); // a second call is harmless
    const again: BusEnvelope[] = [];
    await b.subscribe('doc', (e) => again.push(e));
    a.publish('doc', update(8));
    await waitFor(() => again.length === 1, 5_000, 'delivery after subscribing again');
    expect(first).toHaveLength(1);
  });

  it('refuses a seq it cannot carry without throwing, and reports itself healthy until closed', async () => {
    const { bus } = setup();
    const a = bus();
    await waitFor(() => a.healthy, 5_000, 'a healthy bus');
    expect(() =>
      a.publish('doc', { kind: 'update', update: Uint8Array.of(1), seq: -1 }),
    ).not.toThrow();
    expect(() =>
      a.publish('doc', { kind: 'update', update: Uint8Array.of(1), seq: 0.5 }),
    ).not.toThrow();
    expect(a.droppedMessages).toBe(2);
    await a.close();
    expect(a.healthy).toBe(false);
    await expect(a.subscribe('doc', () => {})).rejects.toThrow(/closed/);
  });
});

describe('the RedisBus wire format', () => {
  it('round-trips every kind, and refuses a header cut short or an instance id it cannot carry', () => {
    const id = encodeInstanceId('instance-\u00e9');
    const messages: BusMessage[] = [
      update(),
      update(1, 2, 3),
      { kind: 'update', update: Uint8Array.of(4), seq: 0 },
      { kind: 'update', update: Uint8Array.of(4), seq: Number.MAX_SAFE_INTEGER },
      { kind: 'awareness', update: Uint8Array.of(5, 6) },
    ];
    for (const message of messages) {
      const decoded = decodeBusMessage(encodeBusMessage(id, message));
      expect(decoded?.instanceId).toBe('instance-\u00e9');
      expect({ ...decoded!.message, update: new Uint8Array(decoded!.message.update) }).toEqual(
        message,
      );
    }
    expect(decodeBusMessage(Buffer.from([1, 1]))).toBeNull();
    expect(() => encodeInstanceId('')).toThrow(RangeError);
    expect(() => encodeInstanceId('x'.repeat(256))).toThrow(RangeError);
    expect(() => encodeInstanceId('\ud800')).toThrow(RangeError);
  });
});
