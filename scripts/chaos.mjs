#!/usr/bin/env node
// Long chaos run: `npm run chaos -- --minutes N [--seed S]`. Builds once, then runs
// server/test/chaos/long-run.ts (through tsx) against the real CLI server behind a fault proxy:
// stock y-websocket 1.x and 3.x clients type all the time while a seeded random schedule
// restarts the server (SIGKILL/SIGTERM), resets connections (some mid-frame), adds latency,
// caps bandwidth, stalls links, drops crowds at once and pastes bursts; the invariants are
// checked after every fault. Prints one summary line; exits 1 if anything was lost, locked out,
// diverged or wrong. Only 127.0.0.1 is used; the data directory is temporary.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'server/test/chaos/long-run.ts', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(run.status ?? 1);
