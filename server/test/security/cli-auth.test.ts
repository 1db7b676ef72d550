/**
 * The security part of the CLI contract (built CLI, `server/dist`, as users run it):
 *   quire-server token --secret S --doc NAME --mode rw|ro [--ttl SECONDS]  → a token on stdout
 *   quire-server --secret S / QUIRE_SECRET → tokens required; without it a loud open-mode warning
 *   quire-server --allow-origin O (repeatable) / QUIRE_ALLOW_ORIGIN → other Origins get 403
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseServeArgs } from '../../src/cli.js';
import { parseTokenArgs } from '../../src/access/token-command.js';
import { verifyToken } from '../../src/index.js';
import { spawnServer, tempDir, type ServerProcess } from '../helpers/server.js';
import { stockClient, upgradeStatus, waitFor, waitSynced } from '../helpers/clients.js';
import { TEST_SECRET } from './harness.js';

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, QUIRE_SECRET: '', ...env },
    encoding: 'utf8',
  });

describe('CLI: tokens, secret, origins', () => {
  const processes: ServerProcess[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const p of processes.splice(0)) p.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) d.remove();
  });

  it('`token` prints exactly one verifiable token on stdout', async () => {
    const result = run([
      'token',
      '--secret',
      TEST_SECRET,
      '--doc',
      'team-a/*',
      '--mode',
      'ro',
      '--ttl',
      '120',
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const claims = await verifyToken(TEST_SECRET, lines[0]!);
    expect(claims).toMatchObject({ doc: 'team-a/*', mode: 'ro' });
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(121);
  });

  it('`token` takes the secret from QUIRE_SECRET and fails fast (exit 2) with how-to text', async () => {
    const fromEnv = run(['token', '--doc', 'notes', '--mode', 'rw'], { QUIRE_SECRET: TEST_SECRET });
    expect(fromEnv.status).toBe(0);
    expect((await verifyToken(TEST_SECRET, fromEnv.stdout.trim())).doc).toBe('notes');
    const missing = run(['token', '--doc', 'notes']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--secret \(or QUIRE_SECRET\) is required/);
    expect(missing.stderr).toMatch(/--mode must be rw or ro/);
    const short = run(['token', '--secret', 'short', '--doc', 'notes', '--mode', 'rw']);
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 32/);
    expect(() =>
      parseTokenArgs(['--doc', 'd', '--mode', 'rw', '--ttl', '0'], { QUIRE_SECRET: TEST_SECRET }),
    ).toThrow(/--ttl/);
  });

  it('serve flags: --secret/QUIRE_SECRET and repeatable --allow-origin/QUIRE_ALLOW_ORIGIN are parsed and checked', () => {
    expect(
      parseServeArgs(
        [
          '--secret',
          TEST_SECRET,
          '--allow-origin',
          'https://a.example',
          '--allow-origin',
          'http://b.example:8080',
        ],
        {},
      ),
    ).toMatchObject({
      secret: TEST_SECRET,
      allowOrigins: ['https://a.example', 'http://b.example:8080'],
    });
    expect(
      parseServeArgs([], {
        QUIRE_SECRET: TEST_SECRET,
        QUIRE_ALLOW_ORIGIN: 'https://a.example, https://b.example',
      }),
    ).toMatchObject({
      secret: TEST_SECRET,
      allowOrigins: ['https://a.example', 'https://b.example'],
    });
    expect(() => parseServeArgs(['--secret', 'short'], {})).toThrow(/at least 32/);
    expect(() => parseServeArgs(['--allow-origin', 'evil.example/path'], {})).toThrow(
      /scheme:\/\/host/,
    );
  });

  it('without a secret the server starts in open mode and says so loudly', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const server = await spawnServer(['--port', '0', '--data', dir.path]);
    processes.push(server);
    await waitFor(() => server.output().includes('OPEN MODE'), 5_000, 'open-mode warning');
    expect(server.output()).toMatch(/WARNING: Quire is running in OPEN MODE/);
    // Once: the banner, not also a log line saying the same (the start line has the state).
    await waitFor(() => server.output().includes('server started'), 5_000, 'the start line');
    expect(server.output().match(/OPEN MODE/g)).toHaveLength(1);
    expect(await upgradeStatus(`${server.wsUrl}/open-doc`)).toBe(101);
  });

  it('with --secret, tokens from `token` work, missing ones get 401, and --allow-origin refuses others', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const server = await spawnServer([
      '--port',
      '0',
      '--data',
      dir.path,
      '--secret',
      TEST_SECRET,
      '--allow-origin',
      'https://docs.example',
    ]);
    processes.push(server);
    expect(server.output()).not.toMatch(/OPEN MODE/);
    const token = run(['token', '--doc', 'cli-doc', '--mode', 'rw'], {
      QUIRE_SECRET: TEST_SECRET,
    }).stdout.trim();
    expect(await upgradeStatus(`${server.wsUrl}/cli-doc`)).toBe(401);
    expect(await upgradeStatus(`${server.wsUrl}/other?token=${token}`)).toBe(403);
    expect(
      await upgradeStatus(`${server.wsUrl}/cli-doc?token=${token}`, {
        Origin: 'https://evil.example',
      }),
    ).toBe(403);
    const client = stockClient(server.wsUrl, 'cli-doc', { params: { token } });
    await waitSynced(client);
    client.destroy();
    // The token never reaches the server's output.
    expect(server.output().includes(token.split('.')[2]!)).toBe(false);
  });
});
