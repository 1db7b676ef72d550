// Demo app build: dist/demo/index.html + hashed assets, served by quire-server with SPA
// fallback. Absolute base so /d/<name> pages load /assets/… correctly.
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './vite.service-worker.js';
import { chunkFileNames } from './vite.chunk-names.js';

export default defineConfig({
  base: '/',
  publicDir: false,
  // sw.js: the offline app shell (src/sw/), with a precache manifest of this build's output.
  plugins: [serviceWorkerPlugin()],
  build: {
    outDir: 'dist/demo',
    emptyOutDir: true,
    sourcemap: true,
    // Code-block languages load on first use: one chunk each, named after its package.
    rolldownOptions: { output: { chunkFileNames: chunkFileNames('assets') } },
  },
  server: {
    // `npm run dev -w client` with a quire-server on :1234 for the API and WebSockets.
    proxy: { '/api': 'http://127.0.0.1:1234' },
  },
});
