import { describe, expect, it } from 'vitest';
import { accessProbeUrl, probeRefusal } from '../src/access-probe.js';

describe('accessProbeUrl', () => {
  it('maps the WebSocket server URL to the HTTP probe, dropping any path prefix', () => {
    expect(accessProbeUrl('ws://localhost:1234', 'team/notes', 'a b')).toBe(
      'http://localhost:1234/api/access/team/notes?token=a%20b',
    );
    expect(accessProbeUrl('wss://docs.example/collab/', 'café')).toBe(
      'https://docs.example/api/access/caf%C3%A9',
    );
    expect(accessProbeUrl('https://docs.example', 'x')).toBe('https://docs.example/api/access/x');
  });
});

describe('probeRefusal', () => {
  const answer = (status: number, body: unknown) =>
    (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

  it('turns 401, 403, 410 and 400 into the reason to stop, with the server explanation', async () => {
    expect(await probeRefusal('u', answer(401, { error: 'token expired' }))).toEqual({
      reason: 'unauthenticated',
      detail: 'token expired',
    });
    expect(await probeRefusal('u', answer(403, {}))).toEqual({ reason: 'forbidden', detail: '' });
    expect((await probeRefusal('u', answer(410, { error: 'deleted' })))?.reason).toBe('gone');
    // The editor checks names before connecting: a 400 means the server's rule differs, and
    // asking again with the same name would be refused again.
    expect((await probeRefusal('u', answer(400, {})))?.reason).toBe('invalid-name');
  });

  it('reports nothing when access is fine, the server is busy, or unreachable', async () => {
    expect(await probeRefusal('u', answer(200, { mode: 'rw' }))).toBeNull();
    for (const passing of [404, 408, 429, 500, 503]) {
      expect(await probeRefusal('u', answer(passing, {})), `HTTP ${passing}`).toBeNull();
    }
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await probeRefusal('u', down)).toBeNull();
  });
});
