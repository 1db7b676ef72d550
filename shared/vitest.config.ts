import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Pure codec tests: no sockets, no files. Node only for the Buffer-input cases.
    environment: 'node',
    // Two cores shared with other suites; these files are small and fast.
    maxWorkers: 2,
    // The seeded property tests run 2000 iterations each, about a second on an idle machine;
    // the default 5 s would turn a busy shared machine into false failures.
    testTimeout: 30_000,
  },
});
