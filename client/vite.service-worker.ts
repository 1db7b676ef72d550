/**
 * Builds the demo's service worker (src/sw/service-worker.ts) into <outDir>/sw.js after the
 * demo build has written its files, with a precache manifest of that output written in: the
 * files the shell needs offline and a version hashed from their names and contents. A build
 * whose output differs in any byte gets a new version, hence a new sw.js, hence an update.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';
import { shouldPrecache, type PrecacheManifest } from './src/sw/precache.js';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
const WORKER_ENTRY = resolve(clientRoot, 'src/sw/service-worker.ts');
/** Hex digits of the content hash kept in the version (and so in the cache name). */
const VERSION_LENGTH = 16;

export interface BuiltFile {
  /** Path relative to the output directory, with `/` separators (as vite names them). */
  fileName: string;
  source: string | Uint8Array;
}

/** The manifest for one build's output: sorted, so the same output gives the same version. */
export function precacheManifest(files: readonly BuiltFile[]): PrecacheManifest {
  const hash = createHash('sha256');
  const kept = files
    .filter((file) => shouldPrecache(file.fileName))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  for (const file of kept) hash.update(file.fileName).update('\0').update(file.source).update('\0');
  return {
    version: hash.digest('hex').slice(0, VERSION_LENGTH),
    urls: kept.map((file) => `/${file.fileName}`),
  };
}

export function serviceWorkerPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'quire-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    // writeBundle sees the finished output (index.html included, chunk code final).
    async writeBundle(_options, bundle) {
      const manifest = precacheManifest(
        Object.values(bundle).map((file) => ({
          fileName: file.fileName,
          source: file.type === 'asset' ? file.source : file.code,
        })),
      );
      await build({
        configFile: false,
        root: clientRoot,
        logLevel: 'warn',
        publicDir: false,
        define: { __QUIRE_PRECACHE__: JSON.stringify(manifest) },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          sourcemap: false,
          // Small, and readable in devtools' Application panel as served.
          minify: false,
          lib: {
            entry: WORKER_ENTRY,
            // A classic script: module service workers are not supported by every browser.
            formats: ['iife'],
            name: 'quireServiceWorker',
            fileName: () => 'sw.js',
          },
        },
      });
    },
  };
}
