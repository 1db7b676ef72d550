/** The `quire-server` CLI contract: flags, environment variables, defaults and fail-fast errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseServeArgs } from '../src/cli.js';
import { spawnServer, tempDir, type ServerProcess } from './helpers/server.js';

const CLI = fileURLToPath(new URL('../bin/quire-server.js', import.meta.url));

describe('quire-server CLI', () => {
  const processes: ServerProcess[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => {
    for (const p of processes.splice(0)) p.child.kill('SIGKILL');
    for (const d of dirs.splice(0)) d.remove();
  });

  it('defaults to port 1234, host 127.0.0.1 and ./data', () => {
    expect(parseServeArgs([], {})).toEqual({
      port: 1234,
      host: '127.0.0.1',
      dataDir: './data',
      logLevel: 'info',
      heapProfile: 'lean',
    });
  });

  it('reads QUIRE_PORT, QUIRE_HOST and QUIRE_DATA, and flags win over them', () => {
    const env = { QUIRE_PORT: '4000', QUIRE_HOST: '0.0.0.0', QUIRE_DATA: '/tmp/env-data' };
    expect(parseServeArgs([], env)).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      dataDir: '/tmp/env-data',
    });
    expect(parseServeArgs(['--port', '5000', '--data', 'x'], env)).toMatchObject({
      port: 5000,
      dataDir: 'x',
    });
  });

  it('starts with --port/--host/--data, prints its address and creates the database there', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const data = join(dir.path, 'nested', 'data');
    const server = await spawnServer(['--port', '0', '--host', '127.0.0.1', '--data', data]);
    processes.push(server);
    expect(server.output()).toMatch(/Quire listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(existsSync(join(data, 'quire.sqlite'))).toBe(true);
    const health = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(health.status).toBe(200);
  });

  it('takes its settings from the environment when no flags are given', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const server = await spawnServer([], {
      QUIRE_PORT: '0',
      QUIRE_HOST: '127.0.0.1',
      QUIRE_DATA: dir.path,
    });
    processes.push(server);
    expect(existsSync(join(dir.path, 'quire.sqlite'))).toBe(true);
  });

  it.each([
    [['--port', 'abc'], /--port \/ QUIRE_PORT "abc" is not a port number/],
    [['--port', '70000'], /not a port number/],
    [['--host', ''], /--host \/ QUIRE_HOST is empty/],
    [['--bogus'], /unknown option --bogus\. Run `quire-server --help`/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--heap-profile', 'huge'], /--heap-profile "huge" must be one of lean, small, v8/],
  ])('fails fast with exit 2 and a how-to message for %j', (args, message) => {
    const result = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('explains a port that is already in use', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await spawnServer(['--port', '0', '--data', dir.path]);
    processes.push(first);
    const result = spawnSync(
      process.execPath,
      [CLI, '--port', String(first.port), '--data', dir.path],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot listen.*--port/s);
  });

  it('prints usage for --help', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--port <n>.*QUIRE_PORT/);
  });
});
