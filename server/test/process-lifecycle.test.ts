/**
 * The real CLI as a child process: SIGKILL right after a relay loses nothing; SIGTERM flushes,
 * closes clients with 1001 and exits 0.
 */
import { describe, expect, it } from 'vitest';
import { rawSocket, waitFor, waitSynced } from './helpers/clients.js';
import { testScope } from './helpers/scope.js';

describe('server process lifecycle', () => {
  const scope = testScope();
  const spawn = scope.spawn;
  const client = scope.client;

  it('loses nothing when SIGKILLed right after an edit reached another client', async () => {
    const dir = scope.dataDir();
    const server = await spawn(dir);
    const writer = client(server.wsUrl, 'crash');
    const reader = client(server.wsUrl, 'crash');
    await Promise.all([waitSynced(writer), waitSynced(reader)]);
    for (let i = 0; i < 20; i++) writer.text.insert(writer.text.length, `edit ${i}; `);
    const expected = writer.text.toString();
    await waitFor(() => reader.text.toString() === expected, 5_000, 'relay');
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');
    writer.destroy();
    reader.destroy();

    const restarted = await spawn(dir);
    const fresh = client(restarted.wsUrl, 'crash');
    await waitSynced(fresh);
    expect(fresh.text.toString()).toBe(expected);
  });

  it('on SIGTERM flushes, closes clients with 1001 and exits 0', async () => {
    const dir = scope.dataDir();
    const server = await spawn(dir);
    const writer = client(server.wsUrl, 'graceful');
    await waitSynced(writer);
    writer.text.insert(0, 'flushed on shutdown');
    const socket = await rawSocket(`${server.wsUrl}/graceful`);
    await waitFor(() => socket.messages.length > 0);
    server.child.kill('SIGTERM');
    expect((await socket.closed).code).toBe(1001);
    expect(await server.exited).toBe(0);
    writer.provider.shouldConnect = false;

    const restarted = await spawn(dir);
    const fresh = client(restarted.wsUrl, 'graceful');
    await waitSynced(fresh);
    expect(fresh.text.toString()).toBe('flushed on shutdown');
  });
});
