// Playwright runs the real quire-server (one process per test, started by the fixture in
// src/fixtures.ts) and the real built client in the system Chromium.
import { defineConfig } from '@playwright/test';

/** Specs that stop, kill or stall a server (or a proxy in front of it) while people type. */
const FAULT_SPECS =
  /(typing-through-restarts|api-write-while-typing|rollback|offline|offline-shell|behind-nginx)\.spec\.ts$/;

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  // Two cores, two workers, but never two of the specs that kill, restart or stall servers at
  // once: those measure what a person sees while typing through faults, and a second Chromium
  // competing for the same core would turn their reconnect timing into the test's subject. They
  // run one at a time (project `faults`, beside one page-only spec at most); the page-only specs
  // share the second worker.
  workers: 2,
  projects: [
    { name: 'faults', testMatch: FAULT_SPECS, workers: 1 },
    { name: 'pages', testIgnore: FAULT_SPECS, workers: 1 },
  ],
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1100, height: 700 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
