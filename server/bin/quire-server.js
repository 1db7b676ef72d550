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
const { main } = await import(cli.href);
await main(process.argv.slice(2));
