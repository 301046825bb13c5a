/**
 * A listing larger than one packet (issue 16): a real `botz serve` with components whose entries
 * add up to more than the 1 MiB packet limit; `botz components` and the library list them all,
 * page by page.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Component } from '../../src/index.js';
import { runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
let secret: string;
const components: Component[] = [];
const COUNT = 24;
// 24 entries of ~50 KB: ~1.2 MB, more than one packet holds; each page holds one or two.
const blob = 'x'.repeat(50_000);

beforeAll(async () => {
  net = await startNetwork();
  secret = (await readFile(join(net.configDir, 'secret'), 'utf8')).trim();
  for (let i = 0; i < COUNT; i++) {
    components.push(await Component.start({ server: net.address, secret, name: `big-${String(i).padStart(2, '0')}`, meta: { blob } }));
  }
});
afterAll(async () => {
  await Promise.all(components.map((c) => c.stop()));
  await net?.stop();
});

describe('a listing larger than one packet', () => {
  it('botz components lists every component', async () => {
    const r = await runBotz(['components', '--json'], net.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { name: string }[];
    expect(listed.map((c) => c.name).sort()).toEqual(components.map((c) => c.name).sort());
  });

  it('the library lists them all too, a group of them as well', async () => {
    const client = await Client.connect({ server: net.address, secret, timeoutMs: 10_000 });
    try {
      expect((await client.components()).length).toBe(COUNT);
    } finally {
      await client.close();
    }
  });
});
