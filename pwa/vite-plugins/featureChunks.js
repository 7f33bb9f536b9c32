// Which built files belong to which feature (issue #15, "a first load that fits"): the service
// worker precaches at install only what every phone needs (the shell, the inspector's and the
// account screens); the review, city and admin chunks, their styles and assets (the ward
// boundaries) are tagged with their features in the precache manifest and cached when a user
// of such a role signs in (src/sw/featureCaches.js). Computed from Rollup's chunk graph.

/** The features whose code no inspector's phone downloads until such a user signs in. */
export const LAZY_FEATURES = ['review', 'city', 'admin'];

/** 'city' for …/src/features/city/index.js (a feature's lazily loaded entry), else null. */
export function featureOfEntry(moduleId) {
  return /[\\/]src[\\/]features[\\/]([^\\/]+)[\\/]index\.js$/.exec(moduleId ?? '')?.[1] ?? null;
}

/**
 * The feature whose index.js a chunk holds, else null. Usually the chunk's facade; but when
 * another chunk imports from it (the city map from the city screens), Rollup gives it none.
 */
export function featureOfChunk(chunk) {
  if (!chunk.isDynamicEntry) return null;
  const ids = chunk.facadeModuleId ? [chunk.facadeModuleId] : (chunk.moduleIds ?? []);
  return ids.map(featureOfEntry).find(Boolean) ?? null;
}

const isLazyEntry = (chunk) => LAZY_FEATURES.includes(featureOfChunk(chunk));

/**
 * The files (chunks, their CSS and assets) reached from the chunks named in `starts`.
 * @param {Map<string, object>} byFile fileName → Rollup output chunk
 * @param {string[]} starts
 * @param {{dynamic?: boolean, stop?: (chunk: object) => boolean}} options follow dynamic
 *   imports too (default), but never into a chunk for which stop() is true
 */
export function reach(byFile, starts, { dynamic = true, stop = () => false } = {}) {
  const seen = new Set();
  const files = new Set();
  const queue = [...starts];
  while (queue.length) {
    const chunk = byFile.get(queue.shift());
    if (!chunk || seen.has(chunk.fileName)) continue;
    seen.add(chunk.fileName);
    files.add(chunk.fileName);
    for (const file of chunk.viteMetadata?.importedCss ?? []) files.add(file);
    for (const file of chunk.viteMetadata?.importedAssets ?? []) files.add(file);
    const next = [...chunk.imports, ...(dynamic ? chunk.dynamicImports : [])];
    for (const file of next) {
      const target = byFile.get(file);
      if (target && !stop(target)) queue.push(file);
    }
  }
  return files;
}

/**
 * From a Rollup bundle (fileName → output): `everyone`, the files any phone may need (reached
 * from the entry without entering a lazy feature), and `features`, fileName → the lazy features
 * that need it (a file also needed by everyone is everyone's).
 */
export function featureChunks(bundle) {
  const chunks = Object.values(bundle).filter((item) => item.type === 'chunk');
  const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const entries = chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName);
  const everyone = reach(byFile, entries, { stop: isLazyEntry });
  const features = {};
  for (const chunk of chunks.filter(isLazyEntry)) {
    // Not through everyone's chunks: the shell's dynamic imports lead to every other feature.
    const files = reach(byFile, [chunk.fileName], { stop: (next) => everyone.has(next.fileName) });
    for (const file of files) {
      if (!everyone.has(file)) (features[file] ??= []).push(featureOfChunk(chunk));
    }
  }
  return { everyone, features };
}

/**
 * A Vite plugin that records the main build's featureChunks() (`plugin.result`), and the
 * Workbox manifest transform that tags each lazy feature's entry with `features`. The build
 * fails if a feature's file is missing from the precache manifest (it would not work offline).
 */
export function featureChunksPlugin() {
  const plugin = {
    name: 'cho-xanh:feature-chunks',
    apply: 'build',
    result: null,
    generateBundle(_options, bundle) {
      // The app's build only (the service worker is built separately, without an HTML entry).
      const app = Object.values(bundle).some((item) => item.type === 'chunk' && item.isEntry
        && /index\.html$/.test(item.facadeModuleId ?? ''));
      if (app) plugin.result = featureChunks(bundle);
    },
    manifestTransform(entries) {
      // The dev server's worker (CHO_XANH_DEV_SW=1) has no bundle: it precaches all it lists.
      if (!plugin.result) return { manifest: entries, warnings: ['feature chunks: no app bundle seen'] };
      const { features } = plugin.result;
      const urls = new Set(entries.map((entry) => entry.url));
      const missing = Object.keys(features).filter((file) => !urls.has(file));
      if (missing.length) throw new Error(`feature chunks missing from the precache manifest: ${missing.join(', ')}`);
      return { manifest: entries.map((entry) => (features[entry.url] ? { ...entry, features: features[entry.url] } : entry)) };
    },
  };
  return plugin;
}
