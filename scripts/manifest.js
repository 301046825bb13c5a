#!/usr/bin/env node
// Writes oclif.manifest.json from the compiled commands in dist/, with @oclif/core alone (the
// `oclif` dev package would add ~220 packages for this one job). With a manifest, `botz --help`
// and every command start without importing every command file.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, isRoot: true });
await plugin.load();
const path = join(root, 'oclif.manifest.json');
await writeFile(path, JSON.stringify(plugin.manifest, null, 2) + '\n');
console.log(`wrote ${Object.keys(plugin.manifest.commands).length} commands to oclif.manifest.json`);
