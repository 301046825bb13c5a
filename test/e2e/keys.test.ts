/**
 * `botz keys` rotates the shared secret of a running network on one machine (issue 18): a
 * running server and component reload the secret file when it changes, so after add, promote
 * and retire they talk under the new key alone, and nobody was restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBotz, startNetwork, type Network, type Running } from './harness.js';

let net: Network;
let echo: Running;

beforeAll(async () => {
  net = await startNetwork();
  echo = await net.register('echo', '--echo', '--port', '0');
}, 30_000);
afterAll(() => net.stop());

const keys = async (...args: string[]) => {
  const r = await runBotz(['keys', ...args, '--json'], net.env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, string> & { id: string }[];
};

describe('botz keys', () => {
  it('add, promote, retire with the server and a component running: they follow, and still answer', async () => {
    const [old] = await keys('ls');
    const { added } = await keys('add');
    expect((await keys('ls')).map((k) => k.id)).toEqual([old.id, added]);
    await keys('promote', added);
    await keys('retire', old.id);
    expect(await keys('ls')).toEqual([{ id: added, primary: true }]);
    // The server said it reloaded down to the new key alone, and the component answers under it.
    await net.server.waitFor(new RegExp(`keyring reloaded: ${added} \\(primary first\\)`), 'err');
    const sent = await runBotz(['send', 'echo', 'after=rotation', '--json'], net.env);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({ after: 'rotation' });
    expect(echo.child.exitCode).toBeNull();
    const primaryRetire = await runBotz(['keys', 'retire', added], net.env);
    expect(primaryRetire.code).toBe(2);
  }, 30_000);
});
