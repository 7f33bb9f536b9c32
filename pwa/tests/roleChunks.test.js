// Build-time test (issue #15): an inspector's phone downloads no review, city or admin code.
// Builds the app as `npm run build` does (vite.config.js, into a temporary folder) and reads
// Rollup's chunks: neither what the page loads at once (the entry's static imports) nor what the
// service worker precaches for everyone holds a module of those features, other than their
// routes.js (the URL table the shell routes with); the precache manifest tags every file of
// theirs; and a shell that imports a city screen statically is caught.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LAZY_FEATURES, featureChunks, reach } from '../vite-plugins/featureChunks.js';

const ROOT = resolve(import.meta.dirname, '..');
const FOREIGN = new RegExp(`/src/features/(${LAZY_FEATURES.join('|')})/(?!routes\\.js$)`);
const BUILD_MS = 240_000;

const dirs = [];

/** The app built into a temporary folder → {bundle: fileName → chunk/asset, sw: sw.js text}. */
async function buildApp(extraPlugins = []) {
  const outDir = await mkdtemp(join(tmpdir(), 'cho-xanh-chunks-'));
  dirs.push(outDir);
  const result = await build({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.js'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    plugins: extraPlugins,
  });
  const output = (Array.isArray(result) ? result[0] : result).output;
  return {
    bundle: Object.fromEntries(output.map((item) => [item.fileName, item])),
    sw: await readFile(join(outDir, 'sw.js'), 'utf8'),
  };
}

/** The review/city/admin modules (routes.js aside) in these chunks: `file: module` lines. */
function foreignModules(bundle, files) {
  return [...files]
    .filter((file) => bundle[file]?.type === 'chunk')
    .flatMap((file) => bundle[file].moduleIds.filter((id) => FOREIGN.test(id.replaceAll('\\', '/')))
      .map((id) => `${file}: ${id.slice(ROOT.length)}`));
}

/** What the page loads before any dynamic import: the entry and its static imports. */
function firstLoad(bundle) {
  const chunks = Object.values(bundle).filter((item) => item.type === 'chunk');
  const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  return reach(byFile, chunks.filter((chunk) => chunk.isEntry).map((chunk) => chunk.fileName), { dynamic: false });
}

function precacheManifest(sw) {
  const start = sw.indexOf('[{"revision"');
  let depth = 0;
  for (let i = start; i < sw.length; i += 1) {
    if (sw[i] === '[') depth += 1;
    if (sw[i] === ']' && --depth === 0) return JSON.parse(sw.slice(start, i + 1));
  }
  throw new Error('no precache manifest in sw.js');
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the built app, as npm run build makes it', () => {
  let app;
  beforeAll(async () => {
    app = await buildApp();
  }, BUILD_MS);

  it('loads no review, city or admin module on the first screen', () => {
    const files = firstLoad(app.bundle);
    expect(files.size).toBeGreaterThan(0);
    expect(foreignModules(app.bundle, files)).toEqual([]);
  });

  it('precaches for everyone only the shell, the inspector and the account screens', () => {
    const { everyone } = featureChunks(app.bundle);
    expect(foreignModules(app.bundle, everyone)).toEqual([]);
    const modules = [...everyone].flatMap((file) => app.bundle[file]?.moduleIds ?? []).join('\n');
    expect(modules).toMatch(/features\/inspector\/screens\/visitForm\.js/);
    expect(modules).toMatch(/features\/account\/screens\/account\.js/);
  });

  it('tags every review, city and admin file in the precache manifest, and nothing else', () => {
    const manifest = precacheManifest(app.sw);
    const tagged = new Map(manifest.filter((entry) => entry.features).map((entry) => [entry.url, entry.features]));
    const untagged = manifest.filter((entry) => !entry.features).map((entry) => entry.url);
    expect(foreignModules(app.bundle, untagged)).toEqual([]);
    for (const feature of LAZY_FEATURES) {
      const entry = Object.values(app.bundle).find((item) => item.type === 'chunk'
        && item.moduleIds.some((id) => id.endsWith(`/src/features/${feature}/index.js`)));
      expect(tagged.get(entry.fileName), feature).toContain(feature);
    }
    // Every chunk holding such a module is tagged: none is left for everyone to download.
    const holders = Object.values(app.bundle).filter((item) => item.type === 'chunk'
      && foreignModules(app.bundle, [item.fileName]).length);
    for (const chunk of holders) expect(tagged.has(chunk.fileName), chunk.fileName).toBe(true);
    // The city map's boundaries come with the city screens.
    expect([...tagged].filter(([url, features]) => url.endsWith('.geojson') && features.includes('city'))).toHaveLength(2);
  });
});

describe('a shell that imports a city screen statically', () => {
  it('is caught: the city module shows in the first load and in everyone\'s precache', async () => {
    const doctored = {
      name: 'test:static-city-import',
      enforce: 'pre',
      transform(code, id) {
        if (!id.replaceAll('\\', '/').endsWith('/src/app/main.js')) return null;
        // Used, as a real import would be (an unused one is tree-shaken away).
        return `import cityDashboard from '../features/city/screens/dashboard.js';\n${code}\nwindow.cityDashboard = cityDashboard;\n`;
      },
    };
    const { bundle } = await buildApp([doctored]);
    expect(foreignModules(bundle, firstLoad(bundle)).join('\n')).toMatch(/features\/city\/screens\/dashboard\.js/);
    expect(foreignModules(bundle, featureChunks(bundle).everyone)).not.toEqual([]);
  }, BUILD_MS);
});
