#!/usr/bin/env node
// Thin launcher so `npx quire-server` works from the repo root after `npm install` (which builds dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error(
    'quire-server: dist/ is missing. Run `npm run build` at the repository root first.',
  );
  process.exit(1);
}
const argv = process.argv.slice(2);
// The heap profile must be set before the server's modules load (see src/heap-profile.ts); an
// invalid value is left for the CLI to report with its other usage errors.
const heap = await import(new URL('../dist/heap-profile.js', import.meta.url).href);
const profile = heap.requestedHeapProfile(argv, process.env);
if (heap.isHeapProfile(profile)) heap.applyHeapProfile(profile);
const { main } = await import(cli.href);
await main(argv);
