/**
 * The credential handshake against an attacker on the path (PROTOCOL.md §3b, §13): the hello
 * and welcome are MACed with a public key, so the attacker re-MACs whatever it changes. Any
 * byte it changes in any handshake packet must make the handshake fail, and two links never
 * share keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, Component, Issuer, Server, loadCredential, type Credential } from '../../../src/index.js';
import { Channel } from '../../../src/lib/channel/channel.js';
import { HANDSHAKE_KEYRING } from '../../../src/lib/channel/identity-link.js';
import { NodeContext } from '../../../src/lib/channel/node-context.js';
import type { Link, Transport } from '../../../src/lib/transport/transport.js';
import { wsTransport } from '../../../src/lib/transport/ws.js';
import { macInto, MAC_BYTES } from '../../../src/lib/wire/mac.js';
import { prng } from '../../helpers/prng.js';

/** Changes byte `at` of the packet, then MACs it again under the public handshake key (what anyone on the path can do). */
function tamper(packet: Buffer, at: number): Buffer {
  const out = Buffer.from(packet);
  out[at] ^= 0x01 << (at % 8);
  macInto(HANDSHAKE_KEYRING.primary, out.subarray(0, out.length - MAC_BYTES), out, out.length - MAC_BYTES);
  return out;
}

/** wsTransport, with the dialer's `nth` packet out (or in) passed through `change`; records each packet's key id. */
function onPath(change: { direction: 'out' | 'in'; nth: number; change: (p: Buffer) => Buffer } | undefined, keyIds: string[] = []): Transport {
  return {
    ...wsTransport,
    async connect(address, options) {
      const link = await wsTransport.connect(address, options);
      let sent = 0;
      let received = 0;
      const wrapped: Link = Object.create(link);
      wrapped.send = (data) => {
        let bytes: Buffer = Buffer.from(data);
        keyIds.push(bytes.toString('hex', 2, 6));
        if (change?.direction === 'out' && sent++ === change.nth) bytes = change.change(bytes);
        link.send(bytes);
      };
      wrapped.attach = (handlers) =>
        link.attach({
          ...handlers,
          onMessage: (data) => handlers.onMessage(change?.direction === 'in' && received++ === change.nth ? Buffer.from(change.change(data)) : data),
        });
      return wrapped;
    },
  };
}

let issuer: Issuer;
let server: Server;
let peer: Component;
let credential: Credential;

beforeAll(async () => {
  issuer = new Issuer();
  server = await Server.start({ host: '127.0.0.1', port: 0, secret: 'tamper-test-secret-0123456789', identity: { authority: issuer } });
  credential = loadCredential(issuer.issue('a', ALL_PERMISSIONS).file);
  // A peer link's listener (§3b Peer links): a credential component with a port, no server needed.
  peer = await Component.start({ server: null, name: 'b', port: 0, identity: { credential: loadCredential(issuer.issue('b', ALL_PERMISSIONS).file) }, onMessage: () => 'ok' });
});
afterAll(async () => {
  await peer.stop();
  await server.stop();
});

/** The two kinds of credential link: to the server (the issuer proves itself), and to a peer (its own grant does). */
const TARGETS = {
  server: async (transport: Transport): Promise<Channel> => {
    const ctx = new NodeContext({ name: `a.${Math.random().toString(36).slice(2, 8)}`, identity: { credential } });
    const { channel } = await Channel.connect(ctx, transport, server.address, { expect: '$server', role: 'client', timeoutMs: 2000, handlers: { onFrame: () => {} } });
    // The server acts on the link only once the auth verified: a list answered proves it did.
    await channel.request({ type: 'list' }, { timeoutMs: 2000 });
    return channel;
  },
  peer: async (transport: Transport): Promise<Channel> => {
    const ctx = new NodeContext({ name: 'a', identity: { credential } });
    const { channel } = await Channel.connect(ctx, transport, peer.address!, { expect: 'b', role: 'component', timeoutMs: 2000, handlers: { onFrame: () => {} } });
    // Likewise a peer: a request answered proves the auth verified.
    await channel.request({ type: 'request', body: {} }, { timeoutMs: 2000 });
    return channel;
  },
};

describe.each(Object.keys(TARGETS) as (keyof typeof TARGETS)[])('credential handshake to a %s under tampering', (target) => {
  const handshake = TARGETS[target];

  it('succeeds untouched', async () => {
    (await handshake(onPath(undefined))).close();
  });

  // hello (dialer out #0), welcome (dialer in #0), auth (dialer out #1): bytes from the header's version to the end of the payload.
  for (const [what, direction, nth] of [['hello', 'out', 0], ['welcome', 'in', 0], ['auth', 'out', 1]] as const) {
    it(`fails whatever byte of the ${what} is changed and MACed again`, async () => {
      const random = prng(what.length * 7919);
      let size = 0;
      await handshake(onPath({ direction, nth, change: (p) => ((size = p.length), p) })).then((ch) => ch.close());
      const positions = new Set<number>([0, 1, 2, 6, 22, 30, 38, 39, size - MAC_BYTES - 1]);
      while (positions.size < 24) positions.add(Math.floor(random() * (size - MAC_BYTES)));
      const outcomes = await Promise.allSettled([...positions].map((at) => handshake(onPath({ direction, nth, change: (p) => tamper(p, at) }))));
      const opened = outcomes.filter((o) => o.status === 'fulfilled');
      for (const o of opened) (o as PromiseFulfilledResult<Channel>).value.close();
      expect(opened.length).toBe(0);
    });
  }

  it('gives every link keys of its own', async () => {
    const keyIds: string[][] = [[], [], []];
    for (const ids of keyIds) (await handshake(onPath(undefined, ids))).close();
    const handshakeKey = HANDSHAKE_KEYRING.primary.id.toString(16).padStart(8, '0');
    expect(keyIds.map((ids) => ids[0])).toEqual([handshakeKey, handshakeKey, handshakeKey]);
    const linkKeys = keyIds.map((ids) => ids[1]);
    expect(new Set(linkKeys).size).toBe(3);
    expect(linkKeys).not.toContain(handshakeKey);
  });
});
