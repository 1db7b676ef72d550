/**
 * createQuireServer warns once in open mode (neither secret nor authorize), unless the caller
 * says it warns itself (warnOpenMode false: quire-server's banner, cli-auth.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { startServer } from '../helpers/server.js';
import { recordingLogger } from '../persistence/fakes.js';

const SECRET = 'token-secret-0123456789abcdef0123456789';

const openModeWarnings = (logger: ReturnType<typeof recordingLogger>) =>
  logger.lines.filter((l) => l.level === 'warn' && l.message.startsWith('OPEN MODE'));

describe('the open-mode warning of the library', () => {
  it('is logged once by default, and not at all with warnOpenMode false or a secret', async () => {
    const byDefault = recordingLogger();
    await startServer({ storage: new MemoryStorage(), logger: byDefault });
    expect(openModeWarnings(byDefault)).toHaveLength(1);

    const silenced = recordingLogger();
    await startServer({ storage: new MemoryStorage(), logger: silenced, warnOpenMode: false });
    expect(openModeWarnings(silenced)).toEqual([]);

    const withSecret = recordingLogger();
    await startServer({ storage: new MemoryStorage(), logger: withSecret, secret: SECRET });
    expect(openModeWarnings(withSecret)).toEqual([]);
  });
});
