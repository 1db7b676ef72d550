#!/usr/bin/env node
// `npm start`: builds what changed (quietly: the build's output is shown only if it fails), then
// runs quire-server with the arguments given after `--`, so the first thing a newcomer reads is
// the address the server listens on.
import { spawn, spawnSync } from 'node:child_process';

const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
  encoding: 'utf8',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  process.stderr.write('\nnpm start: the build failed (above); nothing was started.\n');
  process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ['server/bin/quire-server.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl+C reaches the server through the terminal; a signal sent to this process is passed on.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
