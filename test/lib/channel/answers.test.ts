/**
 * What counts as an answer: a frame of an answering type whose `re` names a frame we sent. A
 * listener's first packet must be the answer to our hello, or the link closes at once (a
 * welcome that answers something else does not open it); a request that carries a stray `re`
 * is still a request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Channel } from '../../../src/lib/channel/channel.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import type { Listener } from '../../../src/lib/transport/transport.js';
import type { Frame } from '../../../src/lib/wire/frames.js';
import { decodeVerified, PacketSealer } from '../../../src/lib/wire/packet.js';

const SECRET = 'a-test-secret-of-enough-length';
let listener: Listener | undefined;
afterEach(async () => {
  await listener?.close();
});

describe("a listener's first packet", () => {
  it.each([
    ['a welcome answering another frame', (hello: Frame) => ({ type: 'welcome', re: `not-${hello.id}`, codec: 'json', session: 's', nonce: 'n' })],
    ['a response to the hello', (hello: Frame) => ({ type: 'response', re: hello.id, body: null })],
    ['a request', () => ({ type: 'request', body: null })],
  ])('%s closes the link: the connect fails at once, no auth is sent', async (_what, answer) => {
    const ctx = new NodeContext({ name: '$server', secret: SECRET });
    const sealer = new PacketSealer({ keyring: ctx.keyring });
    const heard: string[] = [];
    listener = await wsTransport.listen({ host: '127.0.0.1', port: 0, maxMessageBytes: ctx.maxPacketBytes }, (link) => {
      link.attach({
        onMessage: (data) => {
          const frames = decodeVerified(data, ctx.opener.verify(data));
          heard.push(...frames.map((f) => f.type));
          if (frames[0].type !== 'hello') return;
          const reply = { v: 1, id: 'w1', from: '$server', ...answer(frames[0]) };
          link.send(sealer.sealFrames([reply as Frame], frames[0].from));
        },
        onClose: () => {},
      });
    });
    const alice = new NodeContext({ name: 'alice', secret: SECRET });
    const connecting = Channel.connect(alice, wsTransport, listener.address, { expect: '$server', role: 'client', timeoutMs: 10_000, handlers: { onFrame() {} } });
    await expect(connecting).rejects.toMatchObject({ code: 'MALFORMED_FRAME' });
    expect(heard).toEqual(['hello']);
  });
});

describe('a request with a stray re', () => {
  it('is still a request: the handler runs and answers it', async () => {
    const { Server, Component } = await import('../../../src/index.js');
    const { rawChannel } = await import('../../helpers/raw-peer.js');
    const server = await Server.start({ secret: SECRET, host: '127.0.0.1', port: 0 });
    const echo = await Component.start({ server: server.address, secret: SECRET, name: 'echo', onMessage: (m) => m.body });
    const raw = await rawChannel(server.address, 'raw', SECRET, { role: 'client' });
    try {
      raw.channel.send({ type: 'request', body: { a: 1 }, re: 'stray' } as never, 'echo');
      await raw.waitFor((frames) => frames.some((f) => f.type === 'response'));
      expect(raw.frames.find((f) => f.type === 'response')).toMatchObject({ body: { a: 1 }, from: 'echo' });
    } finally {
      raw.channel.close();
      await echo.stop();
      await server.stop();
    }
  });
});
