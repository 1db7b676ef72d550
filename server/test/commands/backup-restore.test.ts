/**
 * `quire-server backup` and `restore-backup`, run as the real CLI: a backup taken while stock
 * clients type into several documents holds everything the server had acknowledged as saved
 * before the backup began, and restores to a store that loads; the store it replaces is kept
 * aside; restore refuses while a server has the data directory open, and refuses a file that is
 * not a Quire store, changing nothing either way.
 */
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { SqliteStorage } from '../../src/index.js';
import { initialUpdate } from '../../src/documents/editor-text.js';
import { ackingClient, covers, type AckingClient } from '../helpers/ack-client.js';
import { waitFor, waitSynced } from '../helpers/clients.js';
import { startServer, tempDir } from '../helpers/server.js';
import { runCli, runInProcess } from './run-cli.js';

const TYPISTS = 3;

/** The document `name` as the restored store holds it (null: absent). */
async function loadStored(dataDir: string, name: string): Promise<Y.Doc | null> {
  const storage = new SqliteStorage({ dataDir });
  try {
    const stored = await storage.load(name);
    if (!stored) return null;
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored.updates) Y.applyUpdate(doc, update);
    expect(stored.damaged).toBeUndefined();
    expect(doc.store.pendingStructs).toBeNull();
    return doc;
  } finally {
    await storage.close();
  }
}

describe('backup and restore-backup', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  const clients: AckingClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const d of dirs.splice(0)) d.remove();
  });
  const newDir = () => {
    const dir = tempDir('quire-backup-');
    dirs.push(dir);
    return dir.path;
  };

  it('a backup taken while clients type holds everything acknowledged before it began, and restores in place of an older store, which is kept aside', async () => {
    const dataDir = join(newDir(), 'data');
    const running = await startServer({ dataDir });
    // A document of more pages than the backup's first step copies (100), so the typists'
    // commits land between its steps.
    const big = 'lorem ipsum '.repeat(40_000);
    const created = await fetch(`${running.httpUrl}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', text: big }),
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < TYPISTS; i++) clients.push(ackingClient(running.wsUrl, `typing/${i}`));
    await Promise.all(clients.map((c) => waitSynced(c)));
    // Another reader (a long export, say) holds a snapshot from before the typing: the server
    // cannot checkpoint past it, so every keystroke stays in the write-ahead log only, where a
    // plain copy of quire.sqlite would miss it.
    const reader = new Database(join(dataDir, 'quire.sqlite'));
    onTestFinished(() => {
      if (reader.open) reader.close();
    });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM updates').get();
    let typing = true;
    const keystrokes = clients.map((client) => {
      const timer = setInterval(() => {
        if (typing) client.text.insert(client.text.length, 'k');
      }, 4);
      return () => clearInterval(timer);
    });
    await waitFor(
      () => clients.every((c) => c.acks.length >= 3),
      10_000,
      'each typist to be acknowledged a few times',
    );
    // What each typist had been told was saved when the backup started.
    const ackedBefore = clients.map((c) => c.acks.at(-1)!);
    // Not vacuous: each ack covers some of that typist's own keystrokes.
    clients.forEach((c, i) => expect(ackedBefore[i]!.get(c.doc.clientID)).toBeGreaterThan(0));
    const acksBefore = clients.map((c) => c.acks.length);
    const backupFile = join(newDir(), 'nightly.sqlite');
    const backup = await runCli(['backup', '--data', dataDir, '--to', backupFile]);
    reader.exec('COMMIT');
    reader.close();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout.toString()).toMatch(/backed up .* \(4 document\(s\), \d+ bytes\)/);
    // The server went on saving (and acknowledging) throughout.
    await waitFor(
      () => clients.every((c, i) => c.acks.length > acksBefore[i]!),
      10_000,
      'acks after the backup',
    );
    typing = false;
    keystrokes.forEach((stop) => stop());
    const finalTexts = clients.map((c) => c.text.toString());
    await running.close();

    // The place it is restored to already holds an older store.
    const restoreDir = join(newDir(), 'restored');
    const older = new SqliteStorage({ dataDir: restoreDir });
    await older.lifecycle.create('older', initialUpdate('the older store'));
    await older.close();
    const restore = await runInProcess([
      'restore-backup',
      '--from',
      backupFile,
      '--data',
      restoreDir,
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout.toString()).toMatch(/\(4 document\(s\)\); the previous store is in /);

    for (let i = 0; i < TYPISTS; i++) {
      const doc = (await loadStored(restoreDir, `typing/${i}`))!;
      const restoredVector = Y.decodeStateVector(Y.encodeStateVector(doc));
      expect(covers(restoredVector, ackedBefore[i]!)).toBe(true);
      // One consistent instant: a prefix of what the typist typed, with no hole in it.
      expect(finalTexts[i]!.startsWith(doc.getText('text').toString())).toBe(true);
      doc.destroy();
    }
    const bigDoc = (await loadStored(restoreDir, 'big'))!;
    expect(bigDoc.getText('codemirror').toString()).toBe(big);
    expect(await loadStored(restoreDir, 'older')).toBeNull();
    const aside = readdirSync(restoreDir).filter((f) => f.startsWith('before-restore-'));
    expect(aside).toHaveLength(1);
    const kept = (await loadStored(join(restoreDir, aside[0]!), 'older'))!;
    expect(kept.getText('codemirror').toString()).toBe('the older store');
  });

  it('restore-backup refuses while a server has the data directory open, and refuses a file that is not a Quire store; nothing changes', async () => {
    const dir = newDir();
    const dataDir = join(dir, 'data');
    const running = await startServer({ dataDir });
    const created = await fetch(`${running.httpUrl}/api/docs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'live', text: 'still here' }),
    });
    expect(created.status).toBe(201);
    const backupFile = join(dir, 'live.sqlite');
    const notAStore = join(dir, 'photo.jpg');
    writeFileSync(notAStore, Buffer.alloc(4096, 0xab));
    const otherDir = join(dir, 'other');
    const [backup, refused, garbage] = await Promise.all([
      runInProcess(['backup', '--data', dataDir, '--to', backupFile]),
      // The server runs in this test's process: the refusal is seen from another one.
      runCli(['restore-backup', '--from', notAStore, '--data', dataDir]),
      runInProcess(['restore-backup', '--from', notAStore, '--data', otherDir]),
    ]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/open in another process .*Stop the server first/);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/photo\.jpg is not a readable Quire store/);
    expect(existsSync(join(otherDir, 'quire.sqlite'))).toBe(false);

    // The running store itself, with its write-ahead log: not a backup.
    const live = await runInProcess([
      'restore-backup',
      '--from',
      join(dataDir, 'quire.sqlite'),
      '--data',
      otherDir,
    ]);
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/has a write-ahead log beside it .*quire-server backup/);

    const again = await runInProcess(['restore-backup', '--from', backupFile, '--data', dataDir]);
    expect(again.code).toBe(1);
    expect(readdirSync(dataDir).filter((f) => !f.startsWith('quire.sqlite'))).toEqual([]);
    const text = await fetch(`${running.httpUrl}/api/docs/live/text`);
    expect(await text.text()).toBe('still here');
  });
});
