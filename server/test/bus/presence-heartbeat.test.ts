/**
 * InstanceHeartbeat on fake timers over an in-process bus: with the default timings a silent
 * instance is found gone after its 7.5 s timeout and within 10 s of its last heartbeat, a
 * goodbye is acted on at once and makes its late messages void, and an instance heard from
 * again after being given up is reported back. A bus without an instance channel falls back to
 * the clients' 30 s awareness timeout.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  LocalBusHub,
  resolveOptions,
  silentLogger,
  type DocumentBus,
} from '../../src/index.js';
import {
  DEFAULT_BUS_HEARTBEAT_INTERVAL_MS,
  DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS,
  InstanceHeartbeat,
  type GoneReason,
} from '../../src/bus/instance-heartbeat.js';

interface Watcher {
  heartbeat: InstanceHeartbeat;
  gone: { id: string; reason: GoneReason; at: number }[];
  back: string[];
}

describe('InstanceHeartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = (bus: DocumentBus, timings = {}): Watcher => {
    const watcher: Watcher = {
      heartbeat: null as unknown as InstanceHeartbeat,
      gone: [],
      back: [],
    };
    watcher.heartbeat = new InstanceHeartbeat({
      bus,
      intervalMs: DEFAULT_BUS_HEARTBEAT_INTERVAL_MS,
      timeoutMs: DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS,
      log: silentLogger,
      onGone: (id, reason) => watcher.gone.push({ id, reason, at: Date.now() }),
      onBack: (id) => watcher.back.push(id),
      ...timings,
    });
    watcher.heartbeat.start();
    return watcher;
  };

  /** A bus whose announcements can be held back, as while its process is stopped. */
  const mutable = (bus: DocumentBus) => {
    let muted = false;
    const wrapped: DocumentBus = {
      instanceId: bus.instanceId,
      publish: (doc, message) => bus.publish(doc, message),
      subscribe: (doc, handler) => bus.subscribe(doc, handler),
      announce: (message) => (muted ? undefined : bus.announce!(message)),
      subscribeInstances: (handler) => bus.subscribeInstances!(handler),
      close: () => bus.close(),
    };
    return { bus: wrapped, mute: (value: boolean) => (muted = value) };
  };

  it('with the defaults, finds a silent instance gone after the timeout and within 10 s of its last heartbeat', async () => {
    const hub = new LocalBusHub();
    const b = start(hub.connect('b'));
    const crashing = mutable(hub.connect('a'));
    start(crashing.bus);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.heartbeat.alivePeers).toEqual(['a']);
    // Its heartbeats at 2.5 s and 5 s arrive; right after the second one its process dies: no
    // goodbye, nothing more.
    await vi.advanceTimersByTimeAsync(2 * DEFAULT_BUS_HEARTBEAT_INTERVAL_MS);
    crashing.mute(true);
    const lastBeat = Date.now();
    await vi.advanceTimersByTimeAsync(DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS);
    expect(b.gone).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000 - DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS);
    expect(b.gone.map((g) => [g.id, g.reason])).toEqual([['a', 'timeout']]);
    const silentFor = b.gone[0]!.at - lastBeat;
    expect(silentFor).toBeGreaterThan(DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS);
    expect(silentFor).toBeLessThanOrEqual(10_000);
    expect(b.heartbeat.alivePeers).toEqual([]);
    await b.heartbeat.stop();
  });

  it('acts on a goodbye at once, and ignores what that instance sends afterwards', async () => {
    const hub = new LocalBusHub();
    const b = start(hub.connect('b'));
    const a = start(hub.connect('a'));
    await vi.advanceTimersByTimeAsync(0);
    await a.heartbeat.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.gone.map((g) => [g.id, g.reason])).toEqual([['a', 'goodbye']]);
    expect(b.heartbeat.heard('a')).toBe(false); // a late presence message: void
    await vi.advanceTimersByTimeAsync(60_000);
    expect(b.gone).toHaveLength(1); // not reported again by the sweep
    await b.heartbeat.stop();
  });

  it('reports an instance heard from again after it was given up (a stall, not a crash)', async () => {
    const hub = new LocalBusHub();
    const b = start(hub.connect('b'));
    const stalled = mutable(hub.connect('a'));
    const a = start(stalled.bus);
    await vi.advanceTimersByTimeAsync(0);
    stalled.mute(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(b.gone.map((g) => g.id)).toEqual(['a']);
    expect(b.back).toEqual([]);
    stalled.mute(false);
    await vi.advanceTimersByTimeAsync(DEFAULT_BUS_HEARTBEAT_INTERVAL_MS);
    expect(b.back).toEqual(['a']);
    expect(b.heartbeat.alivePeers).toEqual(['a']);
    // Any message counts, not only heartbeats: a presence message also brings it back.
    stalled.mute(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(b.gone).toHaveLength(2);
    expect(b.heartbeat.heard('a')).toBe(true);
    expect(b.back).toEqual(['a', 'a']);
    await a.heartbeat.stop();
    await b.heartbeat.stop();
  });

  it('does not give the others up when it was stalled itself (its sweep runs late)', async () => {
    const hub = new LocalBusHub();
    const b = start(hub.connect('b'));
    const aBus = hub.connect('a');
    start(aBus);
    await vi.advanceTimersByTimeAsync(1_000);
    // b's event loop was blocked for 10 s: the clock moved on, its timers did not run, and a's
    // heartbeats of that time wait unread in its socket.
    vi.setSystemTime(Date.now() + 10_000);
    await vi.advanceTimersByTimeAsync(250); // b's first sweep after the block: late, skipped
    expect(b.gone).toEqual([]);
    aBus.announce({ kind: 'heartbeat' }); // then the waiting heartbeat is read
    await vi.advanceTimersByTimeAsync(1_250); // the next sweep finds a alive
    expect(b.gone).toEqual([]);
    expect(b.heartbeat.alivePeers).toEqual(['a']);
    await b.heartbeat.stop();
  });

  it('retries a failed instance-channel subscription with backoff until it is live', async () => {
    const hub = new LocalBusHub();
    const inner = hub.connect('b');
    let failures = 2;
    const flaky: DocumentBus = {
      instanceId: inner.instanceId,
      publish: (doc, message) => inner.publish(doc, message),
      subscribe: (doc, handler) => inner.subscribe(doc, handler),
      announce: (message) => inner.announce(message),
      subscribeInstances: (handler) =>
        failures-- > 0
          ? Promise.reject(new Error('no answer from Redis'))
          : inner.subscribeInstances(handler),
      close: () => inner.close(),
    };
    const b = start(flaky);
    start(hub.connect('a'));
    await vi.advanceTimersByTimeAsync(250 + 500); // the two retries
    expect(failures).toBe(-1);
    await vi.advanceTimersByTimeAsync(DEFAULT_BUS_HEARTBEAT_INTERVAL_MS);
    expect(b.heartbeat.alivePeers).toEqual(['a']);
    await b.heartbeat.stop();
  });

  it('refuses a timeout shorter than two heartbeat intervals, naming both options', () => {
    const resolved = resolveOptions({});
    expect(resolved.busHeartbeatIntervalMs).toBe(DEFAULT_BUS_HEARTBEAT_INTERVAL_MS);
    expect(resolved.busHeartbeatTimeoutMs).toBe(DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS);
    expect(resolved.busPresenceBatchMs).toBe(40);
    const bad = () =>
      resolveOptions({ busHeartbeatIntervalMs: 1_000, busHeartbeatTimeoutMs: 1_500 });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /busHeartbeatTimeoutMs \(1500\) must be at least twice busHeartbeatIntervalMs/,
    );
    expect(() => resolveOptions({ busPresenceBatchMs: 0 })).toThrow(/busPresenceBatchMs must be/);
  });

  it('without an instance channel, keeps an instance while it sends anything, for up to 30 s of silence', async () => {
    const hub = new LocalBusHub();
    const plain = hub.connect('b');
    const noChannel: DocumentBus = {
      instanceId: plain.instanceId,
      publish: (doc, message) => plain.publish(doc, message),
      subscribe: (doc, handler) => plain.subscribe(doc, handler),
      close: () => plain.close(),
    };
    const b = start(noChannel);
    b.heartbeat.heard('a');
    await vi.advanceTimersByTimeAsync(20_000);
    b.heartbeat.heard('a'); // its clients renew their state every 15 s
    await vi.advanceTimersByTimeAsync(30_000);
    expect(b.gone).toEqual([]);
    // Found at the next sweep (every 1.25 s: half the heartbeat interval).
    await vi.advanceTimersByTimeAsync(1_250);
    expect(b.gone.map((g) => [g.id, g.reason])).toEqual([['a', 'timeout']]);
    await b.heartbeat.stop();
  });
});
