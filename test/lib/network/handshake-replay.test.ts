/**
 * A captured hello must not open a link. The replay guard refuses a packet a node has already
 * seen, but a server restarted within the start-skew window has forgotten everything: only
 * the handshake's challenge (the listener's fresh nonce, which the dialer must answer with its
 * key) stops a replayed hello from being acted on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Component, Server } from '../../../src/index.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { PacketSealer } from '../../../src/lib/wire/packet.js';
import { SECRET } from '../../helpers/network.js';
import { rawSocket } from '../../helpers/raw-peer.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

/** The first packet a component named `name` sends the server, as a listener on the path captures it. */
function capturedHello(name: string): Buffer {
  const ctx = new NodeContext({ name, secret: SECRET });
  const sealer = new PacketSealer({ keyring: ctx.keyring });
  return sealer.sealFrames(
    [{ v: 1, type: 'hello', id: ctx.nextId(), from: name, role: 'component', codecs: ['json'], nonce: 'bm9uY2UtMTIzNDU2' }],
    '$server',
  );
}

describe('a replayed hello', () => {
  it('is not acted on by a server restarted within the start-skew window: the name stays free, the link is closed', async () => {
    const first = await Server.start({ secret: SECRET, port: 0 });
    const port = Number(first.address.split(':')[1]);
    const hello = capturedHello('victim');
    await first.stop();

    const restarted = await Server.start({ secret: SECRET, port, connectionLimits: { handshakeTimeoutMs: 300 } });
    stops.push(() => restarted.stop());
    const replay = await rawSocket(restarted.address);
    replay.ws.send(hello);
    // The replayer gets a challenge at most; it cannot answer it without the secret.
    const code = await replay.closed;
    expect(code).toBe(4002);
    expect(restarted.components()).toEqual([]);

    // Meanwhile, and after, the real owner of the name registers as usual.
    const victim = await Component.start({ server: restarted.address, secret: SECRET, name: 'victim', onMessage: () => ({}) });
    stops.push(() => victim.stop());
    expect(restarted.components().map((c) => c.name)).toEqual(['victim']);
  });

  it('does not take a name while the challenge is unanswered: the owner registers at once', async () => {
    const server = await Server.start({ secret: SECRET, port: 0 });
    stops.push(() => server.stop());
    const replay = await rawSocket(server.address);
    replay.ws.send(capturedHello('victim'));
    await new Promise<void>((resolve) => replay.ws.once('message', () => resolve()));
    const victim = await Component.start({ server: server.address, secret: SECRET, name: 'victim', onMessage: () => ({}) });
    stops.push(() => victim.stop());
    expect(server.components().map((c) => c.name)).toEqual(['victim']);
    replay.ws.terminate();
  });
});
