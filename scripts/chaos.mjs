#!/usr/bin/env node
// Long chaos run: `npm run chaos -- --minutes N [--seed S]`. Builds once, then runs
// server/test/chaos/long-run.ts (through tsx) against the real CLI server behind a fault proxy:
// stock y-websocket 1.x and 3.x clients type all the time while a seeded random schedule
// restarts the server (SIGKILL/SIGTERM), resets connections (some mid-frame), adds latency,
// caps bandwidth, stalls links, drops crowds at once and pastes bursts; the invariants are
// checked after every fault. Prints one summary line; exits 1 if anything was lost, locked out,
// diverged or wrong. Only 127.0.0.1 is used; the data directory is temporary.
// `npm run chaos -- --scale-out --minutes N [--seed S]` runs the scale-out version instead
// (server/test/chaos/scale-out-run.ts): three instances on one PostgreSQL database (a private
// one on the machine's server) and a private redis-server, with SIGKILLs, Redis restarts,
// FLUSHALL and stalls, PostgreSQL outages, bus poison, racing compactions and lost bus messages.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const args = process.argv.slice(2);
const scaleOut = args.includes('--scale-out');
const script = scaleOut ? 'server/test/chaos/scale-out-run.ts' : 'server/test/chaos/long-run.ts';
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', script, ...args.filter((a) => a !== '--scale-out')],
  { cwd: root, stdio: 'inherit' },
);
process.exit(run.status ?? 1);
