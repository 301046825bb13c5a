/** Issue 17: `botz ping NAME` times round trips as ping(8) does; without NAME it times the server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBotz, startNetwork, type Network } from './harness.js';

let net: Network;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('ping-echo', '--echo');
});
afterAll(async () => {
  await net?.stop();
});

describe('botz ping', () => {
  it('prints one line per reply and the min/avg/p50/max summary', async () => {
    const r = await runBotz(['ping', 'ping-echo', '--count', '3', '--interval', '10ms'], net.env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /^reply from ping-echo: seq=\d time=[\d.]+ ms$/.test(l))).toHaveLength(3);
    expect(r.stdout).toMatch(/3 sent, 3 received, 0% lost/);
    expect(r.stdout).toMatch(/rtt min\/avg\/p50\/max = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/);
  });

  it('--json gives the figures', async () => {
    const r = await runBotz(['ping', 'ping-echo', '--count', '2', '--interval', '10ms', '--json'], net.env);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ target: 'ping-echo', sent: 2, received: 2, lost: 0 });
    expect(result.rttMs.min).toBeLessThanOrEqual(result.rttMs.max);
  });

  it('without NAME times the server', async () => {
    const r = await runBotz(['ping', '--count', '2', '--interval', '10ms'], net.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`reply from the server at ${net.address.replace(/\./g, '\\.')}: seq=1`));
  });

  it('a name nobody registered: exit 3, as send', async () => {
    const r = await runBotz(['ping', 'ghost', '--count', '2', '--interval', '10ms'], net.env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no component named "ghost"/);
  });
});

describe('payload templates (issue 17)', () => {
  it('send expands {{Random A B}}, {{ID}} and {{Count}} in key=value words', async () => {
    const r = await runBotz(['send', 'ping-echo', 'n:={{Random 5 5}}', 'id={{ID}}', 'c:={{Count}}', '--json'], net.env);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({ n: 5, c: 1 });
    expect(body.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
