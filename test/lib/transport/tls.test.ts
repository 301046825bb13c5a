/**
 * TLS (issue 18): a server and a component listening with `wss://`, dialers that check the
 * listener's certificate against a test CA. A dialer that does not trust it, or does not speak
 * TLS, gets no link: asking for TLS is never silently insecure. On the wire, nothing in clear.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, Component, ErrorCode, Server } from '../../../src/index.js';
import { wsTransport, wsTransportWith } from '../../../src/lib/transport/ws.js';
import { Network, SECRET } from '../../helpers/network.js';
import { tapProxy, type TapProxy } from '../../helpers/tap-proxy.js';
import { makeTestPki, type TestPki } from '../../helpers/tls.js';

let pki: TestPki;
let other: TestPki;
beforeAll(() => {
  pki = makeTestPki();
  other = makeTestPki();
});

let net: Network;
let tap: TapProxy | undefined;
afterEach(async () => {
  await tap?.close();
  tap = undefined;
  await net.stopAll();
});
afterAll(() => {});

const MARKER = 'plaintext-marker-7f3a';

describe('TLS links', () => {
  it('a server and a direct listener over wss: requests go, and nothing of them is in clear on the wire', async () => {
    net = new Network();
    const tls = wsTransportWith({ cert: pki.cert, key: pki.key, ca: pki.ca });
    const server = await net.serve({ transport: tls });
    await net.component({ name: 'echo', port: 0, transport: tls, onMessage: (m) => m.body });
    tap = await tapProxy(server.address);
    const client = await Client.connect({ server: tap.address, secret: SECRET, transport: wsTransportWith({ ca: pki.ca }), timeoutMs: 3000, oneShot: true });
    net.add(() => client.close());
    expect(await client.send('echo', { marker: MARKER })).toEqual({ marker: MARKER });
    expect(tap.fromTarget()).not.toContain(MARKER);
    // A component dials the other's direct listener over wss too.
    const caller = await net.component({ name: 'caller', transport: tls, onMessage: () => null });
    expect(await caller.request('echo', { direct: true })).toMatchObject({ body: { direct: true }, path: 'direct' });
    // The same through a plain server shows the marker: the check above can see it.
    const plain = await Server.start({ port: 0, secret: SECRET });
    net.add(() => plain.stop());
    const plainEcho = await Component.start({ server: plain.address, secret: SECRET, name: 'echo', onMessage: (m) => m.body });
    net.add(() => plainEcho.stop());
    const plainTap = await tapProxy(plain.address);
    net.add(() => plainTap.close());
    const plainClient = await Client.connect({ server: plainTap.address, secret: SECRET, oneShot: true });
    net.add(() => plainClient.close());
    await plainClient.send('echo', { marker: MARKER });
    expect(plainTap.fromTarget()).toContain(MARKER);
  });

  it('refuses a listener whose certificate the dialer does not trust, and a dialer that does not speak TLS', async () => {
    net = new Network();
    const server = await net.serve({ transport: wsTransportWith({ cert: pki.cert, key: pki.key }) });
    const connect = (transport: typeof wsTransport) => Client.connect({ server: server.address, secret: SECRET, transport, timeoutMs: 2000 });
    await expect(connect(wsTransportWith({ ca: other.ca }))).rejects.toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE });
    await expect(connect(wsTransportWith({}))).rejects.toMatchObject({ code: ErrorCode.SERVER_UNREACHABLE });
    await expect(connect(wsTransport)).rejects.toMatchObject({ code: expect.stringMatching(/SERVER_UNREACHABLE|TIMEOUT/) });
  });

  it('a TLS listener needs both a certificate and its key', async () => {
    await expect(Server.start({ port: 0, secret: SECRET, transport: wsTransportWith({ cert: pki.cert }) })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    net = new Network();
  });
});
