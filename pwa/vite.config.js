import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

import { featureChunksPlugin, featureOfChunk } from './vite-plugins/featureChunks.js';
import { precompressPlugin } from './vite-plugins/precompress.js';

// The Flask server (see ../server) serves `dist/` at `/`; in development the
// Vite dev server forwards the API to a locally running Flask instance.
const API_TARGET = process.env.CHO_XANH_API ?? 'http://127.0.0.1:5000';

// The review, city and admin chunks are tagged in the precache manifest and cached only when such
// a user signs in (vite-plugins/featureChunks.js, src/sw/featureCaches.js).
const featureChunks = featureChunksPlugin();

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Never turn small assets into data: URIs; the server CSP keeps img-src to 'self'.
    assetsInlineLimit: 0,
    // Every browser that can run the SW supports <link rel=modulepreload>; skip the polyfill.
    modulePreload: { polyfill: false },
    rollupOptions: {
      // A feature's chunk is named after it (review-….js), not after its index.js.
      output: {
        chunkFileNames: (chunk) => `assets/${featureOfChunk(chunk) ?? '[name]'}-[hash].js`,
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: API_TARGET, changeOrigin: false },
    },
  },
  test: {
    include: ['tests/**/*.test.js'],
    environment: 'node',
  },
  plugins: [
    featureChunks,
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.js',
      // The page registers the SW itself (src/app/sw-register.js via virtual:pwa-register),
      // so the plugin must not inject any <script> (inline scripts are forbidden by the CSP).
      injectRegister: false,
      registerType: 'prompt',
      scope: '/',
      base: '/',
      // public/ files are already matched by globPatterns; don't list them twice.
      includeManifestIcons: false,
      injectManifest: {
        // manifest.webmanifest is added by the plugin itself; geojson: the city map's boundaries
        // (cached with the city feature). No PNG: the icons serve the installed app's launcher
        // (the browser fetches them from the manifest), no screen draws them; 35 KB of a
        // first visit that must stay under 100 KB.
        globPatterns: ['**/*.{html,js,css,svg,woff2,geojson}'],
        // Keep the first-visit download honest: fail the build if anything precached is big.
        maximumFileSizeToCacheInBytes: 512 * 1024,
        manifestTransforms: [(entries) => featureChunks.manifestTransform(entries)],
      },
      manifest: {
        id: '/',
        name: 'Chợ Xanh — Khảo sát túi nilon tại chợ',
        short_name: 'Chợ Xanh',
        description:
          'Khảo sát sử dụng túi nilon khó phân hủy tại chợ truyền thống — Kế hoạch 293/KH-UBND',
        lang: 'vi',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#2e7d4f',
        background_color: '#ffffff',
        categories: ['productivity', 'government'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      devOptions: {
        // Off by default: a caching SW during `npm run dev` hides edits. Set
        // CHO_XANH_DEV_SW=1 to try the offline behaviour against the dev server.
        enabled: process.env.CHO_XANH_DEV_SW === '1',
        type: 'module',
        navigateFallback: 'index.html',
      },
    }),
    // Last: gzip and brotli copies of everything built, sw.js included (server/web.py serves them).
    precompressPlugin(),
  ],
});
