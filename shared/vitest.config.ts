import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Pure codec tests: no sockets, no files. Node only for the Buffer-input cases.
    environment: 'node',
    // Two cores shared with other suites; these files are small and fast.
    maxWorkers: 2,
  },
});
