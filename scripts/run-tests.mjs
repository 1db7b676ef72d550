#!/usr/bin/env node
// `npm test`: lint, typecheck, every workspace's tests, then the browser e2e suite, and one
// closing summary line ("N passed, N failed") counted from the runners' JSON reports.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const WORKSPACES = ['shared', 'server', 'client'];
const reports = {
  vitest: WORKSPACES.map((w) => `${w}/test-results/vitest.json`),
  playwright: 'e2e/test-results/playwright.json',
};
for (const file of [...reports.vitest, reports.playwright]) rmSync(file, { force: true });

const steps = [
  ['lint', 'npm', ['run', 'lint']],
  ['typecheck', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']],
  // new-only: the builds the tests depend on are cache hits; their logs are not replayed.
  // --continue: one failing workspace does not skip the others' tests (or their counts).
  [
    'unit and integration tests',
    'npx',
    ['turbo', 'run', 'test', '--concurrency=1', '--continue', '--output-logs=new-only'],
  ],
  ['browser e2e tests', 'npm', ['run', 'e2e', '-w', '@quire/e2e']],
];

// Into a file or a CI log, plain text: no color codes from turbo, vitest or Playwright.
const env = process.stdout.isTTY
  ? process.env
  : { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

const failedSteps = [];
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) failedSteps.push(name);
}

let passed = 0;
let failed = 0;
for (const file of reports.vitest) {
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
}
if (existsSync(reports.playwright)) {
  const s = JSON.parse(readFileSync(reports.playwright, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
}

console.log('');
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0);
