// The build is deterministic: the same sources and lockfile give byte-identical files in dist/
// (content-hashed names, no source maps, no timestamps). scripts/manifest.mjs records their hashes.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { licences } from './scripts/licences.mjs'

export default defineConfig({
  // Element Plus on demand: each component a template uses is imported (with its CSS) by the chunk that uses
  // it, so the shell carries only the shell's components and each lazily loaded view brings its own.
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dirs: [], dts: false }),
    licences()],
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
