/**
 * trustProxy on a real server over real sockets: the per-IP cap and `authorize` see the address
 * a trusted proxy forwards, and a forwarding header from any other peer changes nothing.
 * 127.0.0.1 plays the proxy; 127.0.0.2 (loopback too, but neither trusted nor exempt) a client
 * that connects directly and lies in its headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LogFields } from '../../src/log.js';
import type { UpgradeRequest } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const warnings: LogFields[] = [];
const seen: string[] = [];
let running: RunningServer;

beforeAll(async () => {
  const quiet = () => {};
  running = await startServer({
    trustProxy: ['127.0.0.1'],
    maxConnectionsPerIp: 1,
    logger: {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (message, fields) => {
        if (message === 'upgrade refused') warnings.push(fields ?? {});
      },
    },
    authorize: (request: UpgradeRequest) => {
      seen.push(request.remoteAddress);
      return { mode: 'rw' };
    },
  });
});
afterAll(() => running.close());

const sockets: WebSocket[] = [];
afterAll(() => sockets.forEach((ws) => ws.terminate()));

/** 101 (kept open) or the HTTP status of the refusal. */
function open(from: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${running.wsUrl}/proxied`, {
      localAddress: from,
      headers: { 'X-Forwarded-For': forwardedFor },
    });
    ws.once('open', () => {
      sockets.push(ws);
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('trustProxy', () => {
  it('counts the per-IP cap against the address a trusted proxy forwards', async () => {
    expect(await open('127.0.0.1', '203.0.113.1')).toBe(101);
    expect(await open('127.0.0.1', '203.0.113.1')).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect(await open('127.0.0.1', '203.0.113.2')).toBe(101);
    expect(seen).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.2']);
    expect(warnings).toEqual([
      expect.objectContaining({ status: 429, remote: '203.0.113.1', proxy: '127.0.0.1' }),
    ]);
  });

  it('ignores X-Forwarded-For from a peer that is not trusted: the socket address is counted', async () => {
    seen.length = 0;
    expect(await open('127.0.0.2', '198.51.100.1')).toBe(101);
    expect(await open('127.0.0.2', '198.51.100.2')).toBe(429);
    expect(seen).toEqual(['127.0.0.2', '127.0.0.2']);
    expect(warnings.at(-1)).toMatchObject({ status: 429, remote: '127.0.0.2' });
    expect(warnings.at(-1)?.proxy).toBeUndefined();
  });
});
