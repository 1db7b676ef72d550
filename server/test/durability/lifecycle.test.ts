/**
 * Threat model F5–F8 (docs/threat-model.md): SIGTERM with unsaved edits, the last client leaving
 * while a save is in flight (Hocuspocus #995), a restart while clients keep their documents, and
 * lost or rolled-back storage rebuilt from the clients.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE_NAME, SqliteStorage } from '../../src/index.js';
import { ackingClient } from '../helpers/ack-client.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { FaultyStorage } from '../helpers/faulty-storage.js';
import { spawnServer, startServer, tempDir, type RunningServer } from '../helpers/server.js';

const SQLITE_FILES = [SQLITE_FILE_NAME, `${SQLITE_FILE_NAME}-wal`, `${SQLITE_FILE_NAME}-shm`];

describe('server lifecycle and durability', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  function track<T extends StockClient>(client: T): T {
    cleanups.push(() => client.destroy());
    return client;
  }
  function dataDir(): string {
    const dir = tempDir();
    cleanups.push(dir.remove);
    return dir.path;
  }

  it('F5: SIGTERM saves and acknowledges every edit, closes with 1001 and exits 0', async () => {
    const dir = dataDir();
    const proc = await spawnServer(['--port', '0', '--data', dir, '--log-level', 'error']);
    cleanups.push(() => void proc.child.kill('SIGKILL'));
    const a = track(ackingClient(proc.wsUrl, 'term'));
    const b = track(ackingClient(proc.wsUrl, 'term'));
    await Promise.all([waitSynced(a), waitSynced(b)]);
    const closes: { code: number; saved: boolean }[] = [];
    for (const c of [a, b]) {
      const onClose = (event: { code: number } | null) => {
        c.provider.off('connection-close', onClose);
        closes.push({ code: event?.code ?? -1, saved: c.saved() });
        c.provider.shouldConnect = false; // stay down: the server is gone
      };
      c.provider.on('connection-close', onClose);
    }
    for (let i = 0; i < 30; i++) {
      a.text.insert(a.text.length, `a${i} `);
      b.text.insert(0, `b${i} `);
    }
    // Both sides hold every edit (so the server has them all), none needs to be saved yet.
    await waitFor(() => a.text.toString() === b.text.toString() && a.text.length > 200);
    const expected = a.text.toString();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    await waitFor(() => closes.length === 2, 5_000, 'both clients closed');
    expect(closes).toEqual([
      { code: 1001, saved: true },
      { code: 1001, saved: true },
    ]);

    const again = await spawnServer(['--port', '0', '--data', dir, '--log-level', 'error']);
    cleanups.push(() => void again.child.kill('SIGKILL'));
    const reader = track(stockClient(again.wsUrl, 'term'));
    await waitSynced(reader);
    expect(reader.text.toString()).toBe(expected);
  });

  it('F6: a client joining while the last one’s save is in flight sees every edit (Hocuspocus #995)', async () => {
    const storage = new FaultyStorage(new SqliteStorage({ dataDir: dataDir() }));
    storage.writeDelayMs = 80;
    const running = await startServer({ storage, roomUnloadGraceMs: 0 });
    cleanups.push(() => running.close());
    const leaver = stockClient(running.wsUrl, 'race');
    await waitSynced(leaver);
    for (let i = 0; i < 5; i++) leaver.text.insert(leaver.text.length, `edit${i} `);
    const expected = leaver.text.toString();
    await waitFor(() => storage.calls.append >= 5, 5_000, 'writes started');
    leaver.destroy();
    await waitFor(() => running.server.connectionCount() === 0);
    const joiner = track(stockClient(running.wsUrl, 'race'));
    await waitSynced(joiner);
    expect(joiner.text.toString()).toBe(expected);
    // One load for the first client, at most one more after the unload: never two live copies.
    // (Counted as rooms: a compaction reads the store too, but builds no live copy.)
    expect(running.server.metrics.roomsLoaded).toBeLessThanOrEqual(2);
  });

  async function restartable(dir: string): Promise<{
    current(): RunningServer;
    restart(between?: () => void): Promise<void>;
  }> {
    let running = await startServer({ dataDir: dir });
    const port = running.port;
    cleanups.push(() => running.close());
    return {
      current: () => running,
      restart: async (between) => {
        await running.close();
        between?.();
        running = await startServer({ dataDir: dir, port });
      },
    };
  }

  it('F7: a restart while clients keep their documents merges offline edits without duplicates', async () => {
    const server = await restartable(dataDir());
    const url = server.current().wsUrl;
    const a = track(ackingClient(url, 'restart'));
    const b = track(ackingClient(url, 'restart'));
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.text.insert(0, 'shared line. ');
    await waitFor(() => a.saved() && b.text.toString() === a.text.toString());
    await server.restart(() => {
      // Edited while the server is down.
      a.text.insert(a.text.length, 'offline a. ');
      b.text.insert(0, 'offline b. ');
    });
    await waitFor(() => a.text.toString() === b.text.toString(), 10_000, 'converged');
    await waitFor(() => a.saved() && b.saved(), 10_000, 'saved after restart');
    const reader = track(stockClient(url, 'restart'));
    await waitSynced(reader);
    expect(reader.text.toString()).toBe(a.text.toString());
    expect(reader.text.toString().match(/shared line/g)).toHaveLength(1);
    expect(reader.text.length).toBe('shared line. offline a. offline b. '.length);
  });

  for (const loss of ['deleted', 'rolled back to an old backup'] as const) {
    it(`F8: storage ${loss} is rebuilt from the clients, without duplicates`, async () => {
      const dir = dataDir();
      const backup = dataDir();
      const server = await restartable(dir);
      const url = server.current().wsUrl;
      const a = track(ackingClient(url, 'lost'));
      const b = track(ackingClient(url, 'lost'));
      await Promise.all([waitSynced(a), waitSynced(b)]);
      a.text.insert(0, 'early. ');
      await waitFor(() => a.saved() && b.saved());
      await server.restart(() => {
        for (const f of SQLITE_FILES) {
          if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(backup, f));
        }
      });
      let acks = a.acks.length + b.acks.length;
      await waitFor(() => a.acks.length + b.acks.length > acks + 1, 10_000, 'reconnected');
      b.text.insert(b.text.length, 'late. ');
      await waitFor(() => a.saved() && a.text.toString() === b.text.toString());
      await server.restart(() => {
        for (const f of SQLITE_FILES) {
          rmSync(join(dir, f), { force: true });
          if (loss !== 'deleted' && existsSync(join(backup, f))) {
            copyFileSync(join(backup, f), join(dir, f));
          }
        }
      });
      acks = a.acks.length + b.acks.length;
      await waitFor(() => a.acks.length + b.acks.length > acks + 1, 10_000, 'reconnected');
      await waitFor(() => a.saved() && b.saved(), 10_000, 'rebuilt and saved');
      const reader = track(stockClient(url, 'lost'));
      await waitSynced(reader);
      expect(reader.text.toString()).toBe('early. late. ');
    });
  }
});
