import { afterEach, describe, expect, it } from 'vitest';
import { Client, Component, type ServerEvent } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { Network, SECRET } from '../../helpers/network.js';
import { rawChannel, rawSocket } from '../../helpers/raw-peer.js';

const WRONG = 'not-the-shared-secret-at-all-000';
const net = new Network();
afterEach(() => net.stopAll());

describe('wrong secret', () => {
  it('the server refuses components and clients with AUTH_FAILED, logs and counts it', async () => {
    const events: ServerEvent[] = [];
    const server = await net.serve({ onEvent: (e) => events.push(e) });
    await expect(Component.start({ server: server.address, secret: WRONG, name: 'mallory', port: 0 })).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
    await expect(Client.connect({ server: server.address, secret: WRONG })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(server.stats.rejected.UNKNOWN_KEY).toBe(2);
    expect(events.filter((e) => e.type === 'rejected')).toHaveLength(2);
    expect(server.components()).toEqual([]);
  });

  it('a component refuses a direct link from a peer with the wrong secret; nothing is delivered', async () => {
    await net.serve();
    const delivered: unknown[] = [];
    const echo = await net.echo('echo', { onMessage: (m) => (delivered.push(m.body), m.body) });
    const ctx = new NodeContext({ name: 'mallory', secret: WRONG });
    await expect(
      Channel.connect(ctx, wsTransport, echo.address!, { expect: 'echo', role: 'component', handlers: { onFrame() {} } }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(echo.rejected.UNKNOWN_KEY).toBe(1);
    expect(delivered).toEqual([]);
  });

  it('a client refuses a server that does not hold its secret', async () => {
    const server = await net.serve({ secret: WRONG });
    await expect(Client.connect({ server: server.address, secret: SECRET })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });
});

describe('a rogue peer holding the key', () => {
  it('gets tampered, replayed, truncated and malformed packets rejected and counted; everyone keeps serving', async () => {
    const server = await net.serve({ maxPacketBytes: 64 * 1024 });
    const delivered: unknown[] = [];
    await net.component({ name: 'echo', onMessage: (m) => (delivered.push(m.body), m.body) });
    const rogue = await rawChannel(server.address, 'rogue', SECRET, { role: 'client' });
    net.add(async () => rogue.channel.close());
    const send = (bytes: Uint8Array) => rogue.channel.link.send(bytes);
    const request = (body: string) =>
      rogue.channel.sealer.sealFrames([{ v: 1, type: 'request', id: `r-${body}`, from: 'rogue', body }], 'echo');

    const legit = request('legit');
    send(legit);
    await rogue.waitFor((f) => f.some((x) => x.type === 'response'));
    expect(delivered).toEqual(['legit']);

    const tampered = Buffer.from(request('tampered'));
    tampered[tampered.length - 40] ^= 0x01;
    send(tampered);
    send(legit); // replay of a captured packet
    send(request('cut').subarray(0, 20)); // truncated
    send(rogue.channel.sealer.sealFrames([{ v: 1, type: 'request', id: 'x', from: 'rogue' }], '$server')); // no body field
    send(rogue.channel.sealer.sealFrames([{ v: 1, type: 'nonsense', id: 'y', from: 'rogue' }], '$server'));
    send(rogue.channel.sealer.sealFrames([{ v: 9, type: 'heartbeat', id: 'z', from: 'rogue' }], '$server'));
    // A lookup after all of that still gets its answer on the same link, in order.
    const located = await rogue.channel.request({ type: 'lookup', name: 'echo' }, { timeoutMs: 2000 });
    expect(located.type).toBe('located');
    expect(server.stats.rejected).toMatchObject({ BAD_MAC: 1, REPLAY: 1, MALFORMED_FRAME: 2, UNKNOWN_TYPE: 1, BAD_VERSION: 1 });
    expect(delivered).toEqual(['legit']);

    const client = await net.client();
    expect(await client.send('echo', 'after')).toBe('after');
  });

  it('an oversized packet closes only that link with FRAME_TOO_LARGE semantics (1009)', async () => {
    const server = await net.serve({ maxPacketBytes: 16 * 1024 });
    await net.echo('echo');
    const raw = await rawSocket(server.address);
    raw.ws.send(Buffer.alloc(64 * 1024, 1));
    expect(await raw.closed).toBe(1009);
    const client = await net.client();
    expect(await client.send('echo', 'fine')).toBe('fine');
  });

  it('refuses a link whose first packet is garbage, and one that never says hello', async () => {
    const server = await net.serve();
    const garbage = await rawSocket(server.address);
    garbage.ws.send(Buffer.from('definitely not a botz packet, but long enough to parse a header from'));
    expect(await garbage.closed).toBe(4002);
    expect(server.stats.rejected.BAD_VERSION).toBe(1);
  });

  it('a sender whose payload exceeds the limit gets FRAME_TOO_LARGE before anything is sent', async () => {
    await net.serve();
    await net.echo('echo');
    const client = await Client.connect({ server: net.server.address, secret: SECRET, maxPacketBytes: 4096 });
    net.add(() => client.close());
    await expect(client.send('echo', 'x'.repeat(10_000))).rejects.toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect(await client.send('echo', 'small')).toBe('small');
  });
});
