/** `--trust-proxy` and the per-client budgets on the command line: flags, environment, errors. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseServeArgs } from '../../src/cli.js';

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));

describe('quire-server --trust-proxy', () => {
  it('takes repeated flags or comma-separated lists, the environment when no flag is given', () => {
    expect(
      parseServeArgs(['--trust-proxy', '127.0.0.1, ::1', '--trust-proxy', '10.0.0.0/8'], {
        QUIRE_TRUST_PROXY: '192.0.2.1',
      }),
    ).toMatchObject({ trustProxy: ['127.0.0.1', '::1', '10.0.0.0/8'] });
    expect(
      parseServeArgs([], {
        QUIRE_TRUST_PROXY: ' 127.0.0.1 , fd00::/8 ',
        QUIRE_MAX_CONNECTIONS_PER_IP: '20',
        QUIRE_MAX_NEW_DOCUMENTS_PER_MINUTE: '5',
      }),
    ).toMatchObject({
      trustProxy: ['127.0.0.1', 'fd00::/8'],
      maxConnectionsPerIp: 20,
      maxNewDocumentsPerMinute: 5,
    });
    // Unset (or an empty variable): nobody is trusted and the library defaults apply.
    const plain = parseServeArgs([], { QUIRE_TRUST_PROXY: '' });
    expect(plain).not.toHaveProperty('trustProxy');
    expect(plain).not.toHaveProperty('maxConnectionsPerIp');
  });

  it('names each bad value with the fix', () => {
    expect(() =>
      parseServeArgs(['--trust-proxy', 'nginx', '--max-connections-per-ip', '0'], {}),
    ).toThrow(
      '--trust-proxy / QUIRE_TRUST_PROXY "nginx" is not an IP address or CIDR range (a host ' +
        'name is not accepted): use e.g. 127.0.0.1, ::1 or 10.0.0.0/8\n' +
        '--max-connections-per-ip / QUIRE_MAX_CONNECTIONS_PER_IP "0" must be a positive whole ' +
        'number, e.g. 50',
    );
  });

  it('exits 2 on a bad value before listening, and documents the flags in --help', () => {
    const bad = spawnSync(process.execPath, [CLI, '--port', '0', '--trust-proxy', '10.0.0.0/40'], {
      encoding: 'utf8',
      env: { ...process.env, QUIRE_TRUST_PROXY: '' },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"10.0.0.0/40" is not an IP address or CIDR range');
    expect(bad.stdout).not.toContain('Quire listening');
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/--trust-proxy <a>[^]*\[QUIRE_TRUST_PROXY, comma-separated\]/);
    expect(help.stdout).toMatch(/\[QUIRE_MAX_CONNECTIONS_PER_IP\] +default 500/);
  });
});
