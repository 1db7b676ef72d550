/**
 * Threat model C (docs/threat-model.md) — document-name and path abuse (N1–N7), against SQLite
 * storage in a temporary data directory. Names are SQL keys, never file paths; the data directory
 * must hold only the database files whatever the name, and one canonical name serves auth and
 * storage.
 *
 * Deliberate deviation: names with a `/` are often refused; Quire allows `/`-separated names (1–8
 * segments) so that tokens can grant a prefix such as `team-a/*`; since names never become
 * paths, `/` is as harmless as any other character. Empty, `.` and `..` segments are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SqliteStorage } from '../../src/index.js';
import { tempDir } from '../helpers/server.js';
import { upgradeStatus, waitFor } from '../helpers/clients.js';
import { startHarness, storedText, type Harness } from './harness.js';

/** Sends the request line exactly as given (no client-side URL normalization). */
function rawUpgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    socket.on('data', (d: Buffer) => {
      response += d.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (match) {
        resolve(Number(match[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
  });
}

describe('threat model C: document names and paths', () => {
  const root = tempDir('quire-names-');
  const dataDir = join(root.path, 'data');
  const sentinel = join(root.path, 'outside.txt');
  let h: Harness;
  let storage: SqliteStorage;
  beforeAll(async () => {
    mkdirSync(dataDir);
    writeFileSync(sentinel, 'outside the data directory');
    storage = new SqliteStorage({ dataDir });
    h = await startHarness({ storage });
  });
  afterAll(async () => {
    await h.close();
    root.remove();
  });

  const dataFiles = () => readdirSync(dataDir).sort();
  const nothingTouched = async (before: string[]) => {
    expect(dataFiles()).toEqual(before);
    expect(dataFiles().every((f) => f.startsWith('quire.sqlite'))).toBe(true);
    expect(readdirSync(root.path).sort()).toEqual(['data', 'outside.txt']);
    expect(readFileSync(sentinel, 'utf8')).toBe('outside the data directory');
  };

  it.each([
    ['N1 ../../etc/passwd', '/../../etc/passwd'],
    ['N1 %2e%2e%2f', '/%2e%2e%2fetc%2fpasswd'],
    ['N1 %2e%2e segments', '/%2e%2e/%2e%2e/outside.txt'],
    ['N1 ..\\ (backslash)', '/..%5c..%5coutside.txt'],
    ['N1 absolute /tmp/x', '/%2Ftmp%2Fx'],
    ['N1 absolute //tmp/x', '//tmp/x'],
    ['N2 NUL', '/doc%00x'],
    ['N2 control character', '/doc%07x'],
    ['N2 newline', '/doc%0Ax'],
    ['N3 10 000 characters', `/${'a'.repeat(10_000)}`],
    ['N3 129 characters', `/${'a'.repeat(129)}`],
    ['N4 RTL override', '/doc%E2%80%AEtxt.exe'],
    ['N4 emoji', '/%F0%9F%98%80'],
    ['N6 empty', '/'],
    ['N6 .', '/.'],
    ['N6 ..', '/..'],
    ['N6 CON', '/CON'],
    ['N6 nul', '/nul'],
    ['N6 com1.txt', '/com1.txt'],
    ['N6 trailing dot', '/doc.'],
    ['N6 trailing space', '/doc%20'],
    ['N6 empty segment', '/a//b'],
    ['N6 nine segments', `/${Array(9).fill('s').join('/')}`],
    ['N7 //doc', '//doc'],
    ['N7 /doc/', '/doc/'],
    ['N7 %2Fdoc', '/%2Fdoc'],
    ['N7 invalid percent-encoding', '/doc%E2%80'],
  ])('%s → 400 at the upgrade, nothing on disk', async (_name, path) => {
    const before = dataFiles();
    expect(await rawUpgradeStatus(h.running.port, path)).toBe(400);
    await nothingTouched(before);
    expect((await storage.list()).map((d) => d.name).sort()).toEqual(
      expect.not.arrayContaining(['etc/passwd', 'outside.txt', 'tmp/x']),
    );
  });

  it('N1 oracle after the traversal attempts', async () => {
    await h.oracle('after-traversal', '');
  });

  it('N4 NFC and NFD spellings are one document; homoglyphs are distinct documents', async () => {
    const nfd = await h.client('cafe\u0301');
    nfd.text.insert(0, 'one file');
    const nfc = await h.client('caf\u00e9');
    await waitFor(() => nfc.text.toString() === 'one file', 5_000, 'same document');
    const cyrillic = await h.client('c\u0430fe'); // Cyrillic а
    expect(cyrillic.text.toString()).toBe('');
    for (const c of [nfd, nfc, cyrillic]) c.destroy();
    await waitFor(() => h.running.server.loadedDocuments().length <= 1, 5_000, 'unloaded');
    const names = (await storage.list()).map((d) => d.name);
    expect(names.filter((n) => n.normalize('NFC') === 'caf\u00e9')).toEqual(['caf\u00e9']);
    expect(await storedText(storage, 'caf\u00e9')).toBe('one file');
    await h.oracle('caf\u00e9', 'one file');
  });

  it('N5 Doc and doc are two documents, deterministically (SQL keys, no case-folding file system)', async () => {
    const upper = await h.client('Doc');
    upper.text.insert(0, 'upper');
    const lower = await h.client('doc');
    lower.text.insert(0, 'lower');
    await waitFor(() => h.running.server.metrics.updatesPersisted > 0, 5_000);
    upper.destroy();
    lower.destroy();
    await h.oracle('Doc', 'upper');
    await h.oracle('doc', 'lower');
  });

  it('N6 deviation: a/b is a valid two-segment name (prefix tokens need it), stored as one key', async () => {
    expect(await upgradeStatus(`${h.wsUrl}/a/b`)).toBe(101);
    const c = await h.client('a/b');
    c.text.insert(0, 'nested name');
    c.destroy();
    await nothingTouched(dataFiles());
    await h.oracle('a/b', 'nested name');
  });

  it('N7 /doc?x=1 is the document "doc": the query string never changes the name', async () => {
    expect(await rawUpgradeStatus(h.running.port, '/n7?x=1&token=abc')).toBe(101);
    const c = await h.client('n7');
    c.text.insert(0, 'n7');
    c.destroy();
    await h.oracle('n7', 'n7');
  });
});
