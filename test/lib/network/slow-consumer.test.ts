/**
 * A peer that stops reading must not make a node queue without bound for it. What a server
 * relays, the membership events it pushes, a component's answers: whatever we write to a link
 * whose other end does not read piles up in our memory, so a link with more queued than the
 * node's limit is closed as a slow consumer (as NATS does), and counted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Network, SECRET } from '../../helpers/network.js';
import { rawChannel } from '../../helpers/raw-peer.js';
import { until } from '../../helpers/wait.js';

const net = new Network();
afterEach(() => net.stopAll());

describe('a slow consumer', () => {
  it('that registered a name and stopped reading is cut off by the server once its queue passes the limit; the server never holds much more', async () => {
    const limit = 1024 * 1024;
    const server = await net.serve({ maxBufferedBytes: limit });
    const sink = await rawChannel(server.address, 'sink', SECRET, { role: 'component', answerHeartbeats: true });
    await sink.channel.request({ type: 'register', address: null, port: null, groups: [], meta: {} }, { timeoutMs: 3000 });
    await sink.channel.request({ type: 'ready' }, { timeoutMs: 3000 });
    const socket = (sink.channel.link as unknown as { ws: { pause(): void; terminate(): void } }).ws;
    socket.pause();
    net.add(async () => socket.terminate());

    const client = await net.client();
    const body = { blob: 'x'.repeat(256 * 1024) };
    let sent = 0;
    // Requests relayed to a reader that never reads: each waits for an answer that never comes.
    const flood = async () => {
      while (server.stats.rejected.SLOW_CONSUMER === undefined && sent < 2000) {
        sent++;
        void client.send('sink', body, { timeout: 20_000 }).catch(() => {});
        if (sent % 8 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    await flood();
    await until('the server cut the slow consumer off', () => server.stats.rejected.SLOW_CONSUMER === 1);
    expect(sent).toBeLessThan(2000);
    // Its link is gone (a paused socket does not read the close frame; the server does not wait for it).
    expect(server.components()).toMatchObject([{ name: 'sink', state: 'suspect' }]);
    // The server is still serving everyone else.
    await net.echo('echo');
    expect(await client.send('echo', 'still here')).toBe('still here');
  });
});
