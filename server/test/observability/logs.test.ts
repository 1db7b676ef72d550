/**
 * Logs as an operator reads them: one JSON object per line (level, time, msg and the caller's
 * fields), or a readable line per event for a terminal; and never a token or payload bytes,
 * checked on the lines a real session writes (a token in the URL and in a header, refused ones,
 * a rejected frame carrying recognisable bytes).
 */
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { createLogger, MemoryStorage, signToken, type LoggerOptions } from '../../src/index.js';
import { rawSocket, stockClient, upgradeStatus, waitFor, waitSynced } from '../helpers/clients.js';
import { startServer } from '../helpers/server.js';

/** A logger writing into memory; `lines()` is what it wrote so far. */
function capturedLogger(options: Omit<LoggerOptions, 'destination'> = {}) {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ ...options, destination });
  return { logger, text: () => text, lines: () => text.split('\n').filter((l) => l !== '') };
}

const SECRET = 'a-test-secret-of-at-least-32-characters!';

describe('logs', () => {
  it('writes one JSON object per line with level, time, msg and the context fields', () => {
    const { logger, lines } = capturedLogger({ level: 'info' });
    logger.debug('not written at info');
    logger.warn('malformed message', { conn: 7, doc: 'notes', code: 'bad-varint', reason: 'x' });
    logger.info('with reserved names', { level: 'sneaky', msg: 'other', skipped: undefined });
    // The message first, then the fields: a line reads (and greps) like the sentence it is.
    expect(lines()[0]).toMatch(
      /"hostname":"[^"]*","msg":"malformed message","conn":7,"doc":"notes"/,
    );
    const [warn, info, extra] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(extra).toBeUndefined();
    expect(warn).toMatchObject({
      level: 'warn',
      msg: 'malformed message',
      conn: 7,
      doc: 'notes',
      code: 'bad-varint',
      reason: 'x',
      pid: process.pid,
    });
    expect(new Date(warn!.time as string).toISOString()).toBe(warn!.time);
    expect(typeof warn!.hostname).toBe('string');
    // A field named like pino's own keys is renamed, not written twice.
    expect(info).toMatchObject({ level: 'info', msg: 'with reserved names' });
    expect(info).toMatchObject({ field_level: 'sneaky', field_msg: 'other' });
    expect(info).not.toHaveProperty('skipped');
  });

  it('writes a readable line per event in the pretty format', () => {
    const { logger, lines } = capturedLogger({ format: 'pretty', level: 'debug' });
    logger.debug('over the message budget: reading paused', { conn: 3, doc: 'notes' });
    logger.error('fsync failed', { error: 'EIO' });
    const [debug, error] = lines();
    expect(debug).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG: over the message budget: reading paused \{"conn":3,"doc":"notes"\}$/,
    );
    expect(error).toMatch(/^\[[\d:.]+\] ERROR: fsync failed \{"error":"EIO"\}$/);
    expect(lines()).toHaveLength(2);
  });

  it('removes secrets by field name and by shape, wherever a caller put them', () => {
    const { logger, text } = capturedLogger();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJkb2MiOiJub3RlcyJ9.c2lnbmF0dXJlLWJ5dGVz';
    logger.warn(`refused GET /notes?token=${jwt}`, {
      token: 'plain-token-value',
      authorization: 'Bearer bearer-token-value',
      url: '/notes?mode=rw&token=query-token-value',
      error: 'header was Bearer another-token-value',
      payload: 'payload-bytes-as-text',
    });
    for (const secret of [
      jwt,
      'plain-token-value',
      'bearer-token-value',
      'query-token-value',
      'another-token-value',
      'payload-bytes-as-text',
    ]) {
      expect(text()).not.toContain(secret);
    }
    expect(text()).toContain('[REDACTED]');
    expect(JSON.parse(text())).toMatchObject({ url: '/notes?mode=rw&token=[REDACTED]' });
  });

  it('a real session: no token (URL or header) and no payload bytes reach a log line', async () => {
    const { logger, text, lines } = capturedLogger({ level: 'debug' });
    const running = await startServer({ storage: new MemoryStorage(), secret: SECRET, logger });
    const good = await signToken({ secret: SECRET, doc: 'notes', mode: 'rw', sub: 'alice' });
    const elsewhere = await signToken({ secret: SECRET, doc: 'elsewhere', mode: 'rw' });
    const forged = `${good.slice(0, -6)}AAAAAA`;
    const marker = 'PAYLOAD-MARKER-5a1d9e';

    // A token in the URL: a stock client edits; a token for another document is refused.
    const editor = stockClient(running.wsUrl, 'notes', { params: { token: good } });
    await waitSynced(editor);
    editor.text.insert(0, 'typed text');
    expect(await upgradeStatus(`${running.wsUrl}/notes?token=${elsewhere}`)).toBe(403);
    // A token in a header: accepted, and a forged one refused.
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
    expect(await upgradeStatus(`${running.wsUrl}/notes`, bearer(good))).toBe(101);
    expect(await upgradeStatus(`${running.wsUrl}/notes`, bearer(forged))).toBe(401);
    // Frames carrying the marker, refused: a length past the end, and bytes Yjs cannot read.
    const bytes = [...new TextEncoder().encode(marker)];
    for (const frame of [
      [0, 2, 0xff, 0x01, ...bytes],
      [0, 2, bytes.length, ...bytes],
    ]) {
      const socket = await rawSocket(`${running.wsUrl}/notes?token=${good}`);
      socket.ws.send(Uint8Array.from(frame));
      expect((await socket.closed).code).toBe(CloseCode.BadMessage);
    }
    const withHeader = new WebSocket(`${running.wsUrl}/notes`, { headers: bearer(good) });
    withHeader.on('error', () => {});
    await new Promise((resolve) => withHeader.once('open', resolve));
    withHeader.send(Uint8Array.from([0, 2, bytes.length, ...bytes]));
    await new Promise((resolve) => withHeader.once('close', resolve));
    editor.destroy();
    await running.close();

    await waitFor(() => text().includes('durability stats'), 2_000, 'the shutdown line');
    const parsed = lines().map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(parsed.filter((l) => l.msg === 'upgrade refused')).toHaveLength(2);
    expect(parsed.filter((l) => l.msg === 'malformed message').length).toBeGreaterThanOrEqual(1);
    for (const secret of [good, elsewhere, forged]) {
      expect(text()).not.toContain(secret.split('.')[2]!);
      expect(text()).not.toContain(secret.split('.')[1]!);
    }
    expect(text()).not.toContain(marker);
    expect(text()).not.toContain('typed text');
  });
});
