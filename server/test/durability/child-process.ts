/** Runs server/test/durability/fixtures/child-server.mjs (the built server with options the CLI
 * does not expose) as a child process. */
import { fileURLToPath } from 'node:url';
import { spawnServer, type ServerProcess } from '../helpers/server.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/child-server.mjs', import.meta.url));

export function spawnChildServer(
  options: Record<string, unknown>,
  logLevel = 'warn',
): Promise<ServerProcess> {
  return spawnServer(
    [],
    { QUIRE_TEST_OPTIONS: JSON.stringify(options), QUIRE_LOG_LEVEL: logLevel },
    FIXTURE,
  );
}
