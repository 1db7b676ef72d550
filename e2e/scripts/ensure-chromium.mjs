#!/usr/bin/env node
// The e2e suite drives the system Chromium (Playwright's own browser download is not used, so
// tests work on machines that can reach only the OS package mirror). Installs it when missing
// and we are root on Debian/Ubuntu; otherwise explains how.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const executable = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(executable)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

if (isRoot && hasApt && !process.env.QUIRE_CHROMIUM) {
  console.log(`e2e: ${executable} not found; installing Chromium with apt-get…`);
  const result = spawnSync(
    'sh',
    ['-c', 'apt-get update -q && apt-get install -y -q --no-install-recommends chromium'],
    { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
  );
  if (result.status === 0 && existsSync(executable)) process.exit(0);
  console.error('e2e: installing Chromium failed (see the apt-get output above).');
  process.exit(1);
}

console.error(
  [
    `e2e: no Chromium at ${executable}.`,
    'Install it with your OS package manager, for example:',
    '  sudo apt-get update && sudo apt-get install -y chromium     # Debian',
    '  sudo apt-get install -y chromium-browser                      # Ubuntu',
    'or point QUIRE_CHROMIUM at an existing Chromium/Chrome binary:',
    '  QUIRE_CHROMIUM=/path/to/chrome npm run e2e -w e2e',
  ].join('\n'),
);
process.exit(1);
