import { describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { accessProbeUrl, closeCodeForRefusal, probeRefusal } from '../src/access-probe.js';

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

  it('turns 401, 403 and 400 into the matching close codes with the server reason', async () => {
    expect(await probeRefusal('u', answer(401, { error: 'token expired' }))).toEqual({
      code: CloseCode.Unauthenticated,
      reason: 'token expired',
    });
    expect((await probeRefusal('u', answer(403, {})))?.code).toBe(CloseCode.Forbidden);
    expect(closeCodeForRefusal(400)).toBe(CloseCode.BadMessage);
  });

  it('reports nothing when access is fine, the server is busy, or unreachable', async () => {
    expect(await probeRefusal('u', answer(200, { mode: 'rw' }))).toBeNull();
    expect(await probeRefusal('u', answer(503, {}))).toBeNull();
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await probeRefusal('u', down)).toBeNull();
  });
});
