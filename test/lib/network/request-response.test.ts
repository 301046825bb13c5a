import { afterEach, describe, expect, it } from 'vitest';
import { Network } from '../../helpers/network.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('request/response', () => {
  it('runs the README example: direct send, relay send, broadcast, components', async () => {
    const server = await net.serve();
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const echo = await net.echo('echo', { groups: ['svc'] });
    const alice = await net.component({ name: 'alice' });
    expect(await alice.send('echo', { hello: 'world' }, { timeout: 2000 })).toEqual({ hello: 'world' });
    const list = await alice.components();
    expect(list.map((c) => c.name).sort()).toEqual(['alice', 'echo']);
    expect(list.find((c) => c.name === 'echo')).toMatchObject({ address: echo.address, groups: ['svc'], state: 'ready' });
    expect(list.find((c) => c.name === 'alice')).toMatchObject({ address: null });
    const report = await echo.broadcast({ ping: '1' });
    expect(report).toEqual({ delivered: [], ignored: ['alice'], failed: [] });
  });

  it('carries any JSON value faithfully, not only string maps', async () => {
    await net.serve();
    await net.echo('echo');
    const client = await net.client();
    const body = { n: 1.5, list: [1, 'two', null, { deep: true }], s: 'ünïcødé ✓', empty: {} };
    expect(await client.send('echo', body)).toEqual(body);
    expect(await client.send('echo', 'just a string')).toBe('just a string');
  });

  it('reuses one direct link for many requests and never touches the relay', async () => {
    const server = await net.serve();
    const paths: string[] = [];
    await net.echo('echo', { onMessage: (m) => (paths.push(m.path), m.body) });
    const alice = await net.component({ name: 'alice', port: 0 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => alice.send('echo', { i: String(i) })));
    for (let i = 0; i < 10; i++) await alice.send('echo', { i: String(i) });
    expect(new Set(paths)).toEqual(new Set(['direct']));
    expect(paths).toHaveLength(110);
    expect(server.stats.relayedPackets).toBe(0);
    expect(server.stats.links).toBe(2);
  });

  it('reaches a component without a port through the relay, authenticated end to end', async () => {
    const server = await net.serve();
    const paths: string[] = [];
    await net.component({ name: 'natted', onMessage: (m) => (paths.push(m.path), { got: m.body }) });
    const alice = await net.client();
    expect(await alice.send('natted', { a: '1' })).toEqual({ got: { a: '1' } });
    expect(paths).toEqual(['relay']);
    expect(server.stats.relayedPackets).toBeGreaterThanOrEqual(2);
  });

  it('fails fast with NO_SUCH_COMPONENT for an unknown name', async () => {
    await net.serve();
    const client = await net.client();
    const started = Date.now();
    await expect(client.send('nobody', { a: '1' }, { timeout: 2000 })).rejects.toMatchObject({ code: 'NO_SUCH_COMPONENT' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('gives REMOTE_ERROR with the message when the handler throws', async () => {
    await net.serve();
    await net.component({
      name: 'grumpy',
      port: 0,
      onMessage: () => {
        throw new Error('I refuse');
      },
    });
    const client = await net.client();
    await expect(client.send('grumpy', {})).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: 'I refuse' });
  });

  it('answers a handler error too long for a packet with its message cut, and one too large a reply with FRAME_TOO_LARGE', async () => {
    await net.serve();
    const echo = await net.component({
      name: 'verbose',
      port: 0,
      maxPacketBytes: 1_048_576,
      onMessage: (m) => {
        // Just over its 1 MiB packet limit.
        if ((m.body as { huge?: boolean }).huge) return 'x'.repeat(1_100_000);
        // An error that quotes its (large) input, as handlers often do.
        throw new Error(`cannot handle ${'y'.repeat(1_100_000)}`);
      },
    });
    const client = await net.client();
    const error = await client.send('verbose', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REMOTE_ERROR', message: expect.stringMatching(/^cannot handle y{986}\.\.\. \(1100014 characters\)$/) as string });
    await expect(client.send('verbose', { huge: true })).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    // The component lives on and answers the next request.
    expect(echo.name).toBe('verbose');
    await expect(client.send('verbose', {})).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
  });

  it('times out with TIMEOUT when the handler never answers', async () => {
    await net.serve();
    await net.component({ name: 'slow', port: 0, onMessage: () => new Promise(() => {}) });
    const client = await net.client();
    await expect(client.send('slow', {}, { timeout: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('runs several components in one process, each answering for itself', async () => {
    await net.serve();
    for (const name of ['a', 'b', 'c']) await net.component({ name, port: 0, onMessage: () => ({ me: name }) });
    const client = await net.client();
    expect(await Promise.all(['a', 'b', 'c'].map((n) => client.send(n, {})))).toEqual([{ me: 'a' }, { me: 'b' }, { me: 'c' }]);
  });
});
