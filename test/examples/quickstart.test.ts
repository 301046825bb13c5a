import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('examples/quickstart.mjs', () => {
  it('runs as the README says and prints the replies', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/quickstart.mjs'], { timeout: 15_000 });
    expect(stdout).toContain("reply: { hello: 'world' }");
    expect(stdout).toContain("group reply: { via: 'group' }");
    expect(stdout).toContain("broadcast: { delivered: [ 'echo' ], ignored: [], failed: [] }");
    expect(stdout).toMatch(/components: \[ 'alice relay ready', 'echo 127\.0\.0\.1:\d+ ready' \]|components: \[ 'echo 127\.0\.0\.1:\d+ ready', 'alice relay ready' \]/);
  });
});
