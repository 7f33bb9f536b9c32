// Pre-compresses the built PWA (gzip and brotli, at their best levels) so that the app serves
// it compressed by itself (server/web.py picks file.br or file.gz by Accept-Encoding): `make run`
// and a bare gunicorn fit a 3G phone without a front end (issue #15). Runs after everything else
// has been written, the service worker included. Node's zlib does the work.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const TEXT = /\.(html|js|mjs|css|svg|json|webmanifest|geojson|txt|map)$/;
const ENCODINGS = [
  ['.br', promisify(brotliCompress), { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }],
  ['.gz', promisify(gzip), { level: constants.Z_BEST_COMPRESSION }],
];
// Below this a compressed copy saves less than its headers cost.
const MIN_BYTES = 256;

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Writes file.br and file.gz beside every text file of `dir` (when smaller than the file). */
export async function precompressDir(dir) {
  const written = [];
  for await (const path of files(dir)) {
    if (!TEXT.test(path) || (await stat(path)).size < MIN_BYTES) continue;
    const body = await readFile(path);
    for (const [suffix, compress, options] of ENCODINGS) {
      const packed = await compress(body, options);
      if (packed.length >= body.length) continue;
      await writeFile(path + suffix, packed);
      written.push(path + suffix);
    }
  }
  return written;
}

export function precompressPlugin() {
  let outDir = 'dist';
  return {
    name: 'cho-xanh:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    // After vite-plugin-pwa has written sw.js (its closeBundle is sequential too).
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler(error) {
        if (error) return;
        const written = await precompressDir(outDir);
        this.info?.(`pre-compressed ${written.length} files (gzip, brotli)`);
      },
    },
  };
}
