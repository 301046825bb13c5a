#!/usr/bin/env node
// Regenerates README → Performance's results (between the bench:results markers) from one
// results file of `npm run bench`: `node scripts/bench-readme.mjs bench/out/results-X.json
// [README.md]` (after `npm run build`). Run it only with a run from a quiet machine: the
// README states what that machine reproduces. The prose around the markers is left alone.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [resultsFile, readmeFile = join(ROOT, 'README.md')] = process.argv.slice(2);
if (!resultsFile) {
  process.stderr.write('usage: node scripts/bench-readme.mjs RESULTS.json [README.md]\n');
  process.exit(2);
}
const { renderResultsSection, replaceResultsSection } = await import(join(ROOT, 'dist', 'lib', 'bench', 'readme-section.js'));
const results = JSON.parse(await readFile(resultsFile, 'utf8'));
const readme = await readFile(readmeFile, 'utf8');
await writeFile(readmeFile, replaceResultsSection(readme, renderResultsSection(results)));
process.stdout.write(`rewrote the bench results in ${readmeFile} from ${resultsFile} (${results.machine.cpuModel}, ${results.machine.date})\n`);
