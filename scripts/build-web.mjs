#!/usr/bin/env node
// Bundles what runs in a browser, from files in this repository, at `npm run build`, so
// nothing is fetched from a CDN at run time:
// - dist/dashboard/: the dashboard page (uPlot and cytoscape bundled in), served by the package;
// - dist/browser/botz.js: the library for web pages (`botz/browser`), see src/lib/browser/.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { browserPlugin } from './browser-plugin.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = (...p) => join(root, 'dist', ...p);

await mkdir(out('dashboard'), { recursive: true });
await esbuild.build({
  entryPoints: [join(root, 'web/dashboard/app.ts')],
  outfile: out('dashboard/app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(join(root, 'web/dashboard/index.html'), out('dashboard/index.html'));
const css = (await readFile(join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8')) + '\n' + (await readFile(join(root, 'web/dashboard/app.css'), 'utf8'));
await writeFile(out('dashboard/app.css'), css);

if (process.env.BOTZ_SKIP_BROWSER_BUILD !== '1') {
  await mkdir(out('browser'), { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, 'src/lib/browser/index.ts')],
    outfile: out('browser/botz.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    sourcemap: true,
    logLevel: 'warning',
    plugins: [browserPlugin(root)],
    inject: [join(root, 'src/lib/browser/globals.ts')],
  });
}
console.log('built dist/dashboard and dist/browser');
