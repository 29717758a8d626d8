// The build is deterministic: the same sources and lockfile give byte-identical files in dist/
// (content-hashed names, no source maps, no timestamps). scripts/manifest.mjs records their hashes.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { licences } from './scripts/licences.mjs'

export default defineConfig({
  plugins: [vue(), licences()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false }, // the polyfill is an inline script; CSP forbids those
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
})
