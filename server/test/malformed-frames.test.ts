/**
 * Malformed input closes only the sender's socket, with a named code, and never disturbs the
 * process or the other clients of the same document. (The full hostile-input suite lives in
 * test/security/.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { MemoryStorage } from '../src/index.js';
import { startServer, type RunningServer } from './helpers/server.js';
import {
  rawSocket,
  stockClient,
  waitFor,
  waitSynced,
  type StockClient,
} from './helpers/clients.js';

describe('malformed frames', () => {
  let running: RunningServer;
  let writer: StockClient;
  let reader: StockClient;

  beforeAll(async () => {
    running = await startServer({ storage: new MemoryStorage() });
    writer = stockClient(running.wsUrl, 'victim');
    reader = stockClient(running.wsUrl, 'victim');
    await Promise.all([waitSynced(writer), waitSynced(reader)]);
  });
  afterAll(async () => {
    writer.destroy();
    reader.destroy();
    await running.close();
  });

  const stillRoundTrips = async (marker: string) => {
    writer.text.insert(writer.text.length, marker);
    await waitFor(() => reader.text.toString().includes(marker), 2_000, `round trip of ${marker}`);
  };

  it.each([
    ['an empty message', []],
    ['a truncated varint', [0x80]],
    ['a truncated varint pair', [0xff, 0xff]],
    ['an overlong varint', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['an unknown message type', [7]],
    ['an unknown sync subtype', [0, 3, 0]],
    ['a length prefix past the end', [0, 2, 0xff, 0xff, 0x03, 1, 2]],
    ['trailing bytes after a message', [3, 0]],
    ['a garbage update', [0, 2, 4, 9, 9, 9, 9]],
    ['an auth message from a client', [2, 0, 0]],
  ])('%s closes the sender with 4400 (BadMessage)', async (label, bytes) => {
    const socket = await rawSocket(`${running.wsUrl}/victim`);
    socket.ws.send(Uint8Array.from(bytes));
    expect((await socket.closed).code).toBe(CloseCode.BadMessage);
    await stillRoundTrips(`[${label}]`);
  });

  it('a text frame closes the sender with 1003 (UnsupportedData)', async () => {
    const socket = await rawSocket(`${running.wsUrl}/victim`);
    socket.ws.send('..`');
    expect((await socket.closed).code).toBe(CloseCode.UnsupportedData);
    await stillRoundTrips('[text]');
  });

  it('awareness that is not valid JSON closes the sender and is never relayed', async () => {
    const socket = await rawSocket(`${running.wsUrl}/victim`);
    const json = new TextEncoder().encode('{not json');
    // [Awareness, len, count=1, clientID=7, clock=1, strlen, ...]
    const payload = [1, 7, 1, json.length, ...json];
    socket.ws.send(Uint8Array.from([1, payload.length, ...payload]));
    expect((await socket.closed).code).toBe(CloseCode.BadMessage);
    expect(reader.provider.awareness.getStates().has(7)).toBe(false);
    await stillRoundTrips('[awareness]');
  });

  it('counts every rejection in /metrics', async () => {
    const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
    const match = /quire_protocol_errors_total (\d+)/.exec(metrics);
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(10);
  });
});
