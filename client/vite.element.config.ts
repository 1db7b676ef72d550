// Standalone <quire-editor> bundle: dist/demo/quire-editor.js with all dependencies inlined, so
// any page can use the element with one <script type="module">. Also copies embed/embed.html.
import { defineConfig } from 'vite';
import { chunkFileNames } from './vite.chunk-names.js';

export default defineConfig({
  publicDir: 'embed',
  build: {
    outDir: 'dist/demo',
    emptyOutDir: false,
    copyPublicDir: true,
    minify: true,
    sourcemap: true,
    lib: { entry: 'src/element-entry.ts', formats: ['es'], fileName: () => 'quire-editor.js' },
    // Code-block languages load on first use, each a chunk beside the bundle; hashed and under
    // assets/ so the server caches them for good (quire-editor.js itself is revalidated).
    rolldownOptions: { output: { chunkFileNames: chunkFileNames('assets/element') } },
  },
});
