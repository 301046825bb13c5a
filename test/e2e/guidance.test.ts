/**
 * Issue 17: commands that point the right way. `tail` names a component that is not registered
 * instead of tailing it in silence; `tail --wait` bounds a run and its exit code says what ended
 * it; `bench` whose every request failed does not exit 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PACKET_BYTES } from '../../src/lib/wire/packet.js';
import { runBotz, startBotz, startNetwork, type Network } from './harness.js';

let net: Network;
beforeAll(async () => {
  net = await startNetwork();
  await net.register('guide-echo', '--echo');
});
afterAll(async () => {
  await net?.stop();
});

describe('tail', () => {
  it('says which of its names are not registered, and keeps tailing', async () => {
    const tail = startBotz(['tail', 'ghost', 'guide-echo'], net.env);
    try {
      await tail.waitFor(/^tailing /, 'err');
      await tail.waitFor(/ghost is not registered/, 'err');
      expect(tail.errLines.filter((l) => /not registered/.test(l))).toEqual([expect.stringMatching(/^ghost is not registered/)]);
    } finally {
      expect(await tail.stop('SIGINT')).toBe(0);
    }
  });

  it('--wait ends a quiet tail: exit 0 alone, exit 4 when --count was not reached', async () => {
    const alone = await runBotz(['tail', 'ghost', '--wait', '300ms'], net.env);
    expect(alone.code).toBe(0);
    const short = await runBotz(['tail', 'ghost', '--wait', '300ms', '--count', '5'], net.env);
    expect(short.code).toBe(4);
    expect(short.stderr).toMatch(/--wait 300ms ran out after 0 of 5 events/);
  });
});

describe('bench', () => {
  it('refuses a --size no packet can hold before it starts anything (exit 2)', async () => {
    const r = await runBotz(['bench', 'relay', '--size', '20000000', '--count', '2', '--in-flight', '1'], net.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--size 20000000 is over the packet limit of 16842752 bytes/);
  });
});

describe('bench, failing and templated (issue 17)', () => {
  it('exits 1 and names the reason when every request failed, without measuring failures for --duration', async () => {
    // A body of exactly the packet limit passes the size check, but with its envelope no packet holds it.
    const r = await runBotz(['bench', 'relay', '--server', net.address, '--size', String(DEFAULT_MAX_PACKET_BYTES), '--duration', '60s'], net.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^botz: every request failed \(FRAME_TOO_LARGE\); nothing was measured/m);
  });

  it('--field sends the send grammar with templates, expanded per request', async () => {
    const r = await runBotz(
      ['bench', 'relay', '--server', net.address, '--count', '20', '--in-flight', '2', '--field', 'n:={{Count}}', '--field', 'id={{ID}}', '--json'],
      net.env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fields: ['n:={{Count}}', 'id={{ID}}'], botz: { messages: 20, errors: 0 } });
  });

  it('a bad --field is a usage error before anything starts (exit 2)', async () => {
    const r = await runBotz(['bench', 'relay', '--server', net.address, '--field', 'n:={{Random 9 1}}'], net.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^botz: --field: \{\{Random 9 1\}\} needs two whole numbers/);
  });
});

describe('components --watch, bounded (issue 17)', () => {
  it('--count ends it after that many listings (exit 0); --wait before --count exits 4', async () => {
    const once = await runBotz(['components', '--watch', '--count', '1', '--json'], net.env);
    expect(once.code).toBe(0);
    expect(once.stdout.trim().split('\n')).toHaveLength(1);
    const quiet = await runBotz(['components', '--watch', '--wait', '300ms', '--json'], net.env);
    expect(quiet.code).toBe(0);
    const short = await runBotz(['components', '--watch', '--count', '5', '--wait', '300ms'], net.env);
    expect(short.code).toBe(4);
    expect(short.stderr).toMatch(/--wait 300ms ran out after 1 of 5 listings/);
  });
});
