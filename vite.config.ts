import { defineConfig } from 'vite';

// The renderer is a static bundle: served by serve mode, or loaded from disk by the Electron shell
// (hence relative asset paths).
export default defineConfig({
  root: 'renderer',
  base: './',
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
  },
});
