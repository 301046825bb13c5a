/**
 * A vector file of test/vectors/ kept in step with its generator: `UPDATE_VECTORS=1` rewrites it
 * from `generated`; either way the file as stored is what the test reads (and compares with
 * `generated`, so a generator change that was not written out fails).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function vectorFile<T>(name: string, generated: T): T {
  const file = fileURLToPath(new URL(`../vectors/${name}`, import.meta.url));
  if (process.env.UPDATE_VECTORS === '1') writeFileSync(file, JSON.stringify(generated, null, 2) + '\n');
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Hex to bytes. */
export const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');
