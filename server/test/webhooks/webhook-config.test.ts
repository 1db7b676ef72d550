/** The webhook options as the library checks them: one ConfigError naming each bad value. */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createQuireServer,
  MemoryStorage,
  silentLogger,
  type QuireServerOptions,
  type StorageAdapter,
} from '../../src/index.js';

const SECRET = 'hook-secret-0123456789abcdef0123456789';

function problems(options: QuireServerOptions): string[] {
  try {
    const server = createQuireServer({
      storage: new MemoryStorage(),
      logger: silentLogger,
      ...options,
    });
    void server.close();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('webhook options', () => {
  it('refuses bad URLs, a missing or short secret and inconsistent intervals, with the fix', () => {
    expect(problems({ webhookUrls: ['https://hooks.example.com/x'] })).toEqual([
      expect.stringMatching(/^webhookUrls need webhookSecret.*openssl rand -base64 32/),
    ]);
    const found = problems({
      webhookUrls: ['mailto:ops@example.com', 'https://user:pw@hooks.example.com/x?token=t'],
      webhookSecret: 'short',
      webhookChangeDebounceMs: 5_000,
      webhookChangeMaxIntervalMs: 1_000,
      webhookTimeoutMs: 0,
    });
    expect(found).toEqual([
      expect.stringMatching(/^webhook URL "mailto:.*" must be an http:\/\/ or https:\/\/ URL$/),
      expect.stringMatching(/^webhookSecret must have at least 32 characters/),
      'webhookTimeoutMs must be a positive integer (got 0)',
      expect.stringMatching(
        /^webhookChangeMaxIntervalMs \(1000\) must be at least webhookChangeDebounceMs \(5000\)$/,
      ),
    ]);
    // A URL's credentials never appear in an error message.
    expect(
      problems({ webhookUrls: ['https://user:pw@[bad/x?token=t'], webhookSecret: SECRET }).join(),
    ).not.toMatch(/pw|token=t/);
  });

  it('needs a store with an outbox', () => {
    const memory = new MemoryStorage();
    const withoutOutbox: StorageAdapter = {
      load: (n) => memory.load(n),
      append: (n, u) => memory.append(n, u),
      compact: (n, s, c) => memory.compact(n, s, c),
      sync: () => memory.sync(),
      list: (o) => memory.list(o),
      delete: (n) => memory.delete(n),
      close: () => memory.close(),
    };
    expect(
      problems({
        storage: withoutOutbox,
        webhookUrls: ['http://127.0.0.1:9/x'],
        webhookSecret: SECRET,
      }),
    ).toEqual([expect.stringMatching(/^webhookUrls need a storage adapter with an outbox/)]);
  });
});
