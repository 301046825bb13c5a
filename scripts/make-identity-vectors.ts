/**
 * Builds test/vectors/identity.json: one credential handshake (PROTOCOL.md §3b) from fixed
 * keys, step by step, with node:crypto only (not src/lib/identity), so the file is a second,
 * independent reading of the spec that the library must agree with
 * (test/lib/identity/vectors.test.ts). Ed25519 signatures are deterministic, so every value is.
 *
 * Run: `UPDATE_VECTORS=1 npx vitest run test/lib/identity/vectors.test.ts` rewrites the file.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, sign } from 'node:crypto';

const NOW = 1_767_225_600_000;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const seed = (label: string) => createHash('sha256').update(label).digest();

function okp(crv: 'Ed25519' | 'X25519', d: Buffer) {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv, d: b64(d), x: '' }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, raw: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url') };
}

const keyId = (secret: Buffer) => createHmac('sha256', secret).update('botz key id v1').digest().subarray(0, 4);

/** A JSON packet (§2) under `secret`, assembled byte by byte. */
function packet(secret: Buffer, instance: Buffer, counter: number, to: string, frames: object[]): Buffer {
  const header = Buffer.alloc(39);
  header[0] = 2;
  header[1] = 0;
  keyId(secret).copy(header, 2);
  instance.copy(header, 6);
  header.writeBigUInt64BE(BigInt(counter), 22);
  header.writeBigUInt64BE(BigInt(NOW - 1000), 30);
  header[38] = Buffer.byteLength(to);
  const body = Buffer.concat([header, Buffer.from(to), Buffer.from(JSON.stringify(frames))]);
  return Buffer.concat([body, createHmac('sha256', secret).update(body).digest()]);
}

export function makeIdentityVectors() {
  const issuer = okp('Ed25519', seed('botz vector issuer'));
  const component = okp('Ed25519', seed('botz vector component a'));
  const dialerEphemeral = okp('X25519', seed('botz vector dialer ephemeral'));
  const listenerEphemeral = okp('X25519', seed('botz vector listener ephemeral'));
  const handshakeSecret = createHash('sha256').update('botz handshake key v1').digest();

  const grant = {
    v: 1,
    id: 'grant-0001',
    name: 'a',
    key: b64(component.raw),
    issuedAt: NOW - 60_000,
    expiresAt: null,
    permissions: { register: true, send: ['b', 'worker-*'], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: false },
  };
  const grantPayload = Buffer.from(JSON.stringify(grant), 'utf8');
  const grantSignature = sign(null, Buffer.concat([Buffer.from('botz grant v1'), Buffer.from([0]), grantPayload]), issuer.privateKey);
  const grantToken = `${b64(grantPayload)}.${b64(grantSignature)}`;

  const hello = { v: 1, id: 'h.1', from: 'a', type: 'hello', role: 'component', codecs: ['json'], nonce: 'hello-nonce-0001', grant: grantToken, ephemeral: b64(dialerEphemeral.raw) };
  const helloPacket = packet(handshakeSecret, Buffer.alloc(16, 0xd1), 1, '$server', [hello]);
  const th1 = createHash('sha256').update('botz identity v1').update(helloPacket).digest();

  const welcomeNonce = 'welcome-nonce-01';
  const welcomeSigned = Buffer.concat([Buffer.from('botz welcome v1'), Buffer.from([0]), th1, listenerEphemeral.raw, Buffer.from(welcomeNonce)]);
  const welcomeProof = sign(null, welcomeSigned, issuer.privateKey);
  const welcome = { v: 1, id: 's.1', from: '$server', type: 'welcome', re: 'h.1', codec: 'json', session: 'session-token', nonce: welcomeNonce, heartbeatMs: 2000, ephemeral: b64(listenerEphemeral.raw), proof: b64(welcomeProof) };
  const welcomePacket = packet(handshakeSecret, Buffer.alloc(16, 0x5e), 1, 'a', [welcome]);
  const th2 = createHash('sha256').update(th1).update(welcomePacket).digest();

  const shared = diffieHellman({ privateKey: dialerEphemeral.privateKey, publicKey: listenerEphemeral.publicKey });
  const dialerKey = Buffer.from(hkdfSync('sha256', shared, th2, Buffer.from('botz link key dialer'), 32));
  const listenerKey = Buffer.from(hkdfSync('sha256', shared, th2, Buffer.from('botz link key listener'), 32));
  const authProof = sign(null, Buffer.concat([Buffer.from('botz auth v1'), Buffer.from([0]), th2]), component.privateKey);
  const auth = { v: 1, id: 'h.2', from: 'a', type: 'auth', re: 's.1', nonce: welcomeNonce, proof: b64(authProof) };
  const authPacket = packet(dialerKey, Buffer.alloc(16, 0xd1), 2, '$server', [auth]);

  const peerLink = makePeerLinkVector({ issuer, dialer: component, grantToken, handshakeSecret });

  return {
    note: 'One credential handshake (PROTOCOL.md §3b). Private keys are raw 32-byte seeds (hex); public keys raw 32 bytes.',
    handshakeSecretHex: hex(handshakeSecret),
    handshakeKeyId: hex(keyId(handshakeSecret)),
    issuer: { privateHex: hex(seed('botz vector issuer')), publicHex: hex(issuer.raw) },
    component: { name: 'a', privateHex: hex(seed('botz vector component a')), publicHex: hex(component.raw) },
    grant,
    grantPayloadHex: hex(grantPayload),
    grantSignatureHex: hex(grantSignature),
    grantToken,
    dialerEphemeral: { privateHex: hex(seed('botz vector dialer ephemeral')), publicHex: hex(dialerEphemeral.raw) },
    listenerEphemeral: { privateHex: hex(seed('botz vector listener ephemeral')), publicHex: hex(listenerEphemeral.raw) },
    hello,
    helloPacketHex: hex(helloPacket),
    th1Hex: hex(th1),
    welcomeSignedHex: hex(welcomeSigned),
    welcome,
    welcomePacketHex: hex(welcomePacket),
    th2Hex: hex(th2),
    sharedSecretHex: hex(shared),
    dialerKeyHex: hex(dialerKey),
    dialerKeyId: hex(keyId(dialerKey)),
    listenerKeyHex: hex(listenerKey),
    listenerKeyId: hex(keyId(listenerKey)),
    auth,
    authPacketHex: hex(authPacket),
    peerLink,
  };
}

type Okp = ReturnType<typeof okp>;

/**
 * A peer link (§3b Peer links): component a (the credential above) dials component b, which
 * answers with its own grant and signs the welcome with b's key instead of the issuer's.
 */
function makePeerLinkVector(o: { issuer: Okp; dialer: Okp; grantToken: string; handshakeSecret: Buffer }) {
  const listener = okp('Ed25519', seed('botz vector component b'));
  const dialerEphemeral = okp('X25519', seed('botz vector peer dialer ephemeral'));
  const listenerEphemeral = okp('X25519', seed('botz vector peer listener ephemeral'));
  const grant = {
    v: 1,
    id: 'grant-0002',
    name: 'b',
    key: b64(listener.raw),
    issuedAt: NOW - 60_000,
    expiresAt: NOW + 86_400_000,
    permissions: { register: true, send: ['a'], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: true },
  };
  const grantPayload = Buffer.from(JSON.stringify(grant), 'utf8');
  const grantToken = `${b64(grantPayload)}.${b64(sign(null, Buffer.concat([Buffer.from('botz grant v1'), Buffer.from([0]), grantPayload]), o.issuer.privateKey))}`;

  const hello = { v: 1, id: 'a.1', from: 'a', type: 'hello', role: 'component', codecs: ['json'], nonce: 'peer-hello-nonce', grant: o.grantToken, ephemeral: b64(dialerEphemeral.raw) };
  const helloPacket = packet(o.handshakeSecret, Buffer.alloc(16, 0xa1), 1, 'b', [hello]);
  const th1 = createHash('sha256').update('botz identity v1').update(helloPacket).digest();
  const welcomeNonce = 'peer-welcome-nce';
  const welcomeSigned = Buffer.concat([Buffer.from('botz welcome v1'), Buffer.from([0]), th1, listenerEphemeral.raw, Buffer.from(welcomeNonce)]);
  const welcomeProof = sign(null, welcomeSigned, listener.privateKey);
  const welcome = { v: 1, id: 'b.1', from: 'b', type: 'welcome', re: 'a.1', codec: 'json', session: 'direct', nonce: welcomeNonce, ephemeral: b64(listenerEphemeral.raw), proof: b64(welcomeProof), grant: grantToken };
  const welcomePacket = packet(o.handshakeSecret, Buffer.alloc(16, 0xb1), 1, 'a', [welcome]);
  const th2 = createHash('sha256').update(th1).update(welcomePacket).digest();
  const shared = diffieHellman({ privateKey: dialerEphemeral.privateKey, publicKey: listenerEphemeral.publicKey });
  const dialerKey = Buffer.from(hkdfSync('sha256', shared, th2, Buffer.from('botz link key dialer'), 32));
  const listenerKey = Buffer.from(hkdfSync('sha256', shared, th2, Buffer.from('botz link key listener'), 32));
  const authProof = sign(null, Buffer.concat([Buffer.from('botz auth v1'), Buffer.from([0]), th2]), o.dialer.privateKey);
  const auth = { v: 1, id: 'a.2', from: 'a', type: 'auth', re: 'b.1', nonce: welcomeNonce, proof: b64(authProof) };
  const authPacket = packet(dialerKey, Buffer.alloc(16, 0xa1), 2, 'b', [auth]);
  return {
    note: 'A peer link (PROTOCOL.md §3b Peer links): a (the credential above) dials b; the welcome carries b\'s grant and b\'s key signs it.',
    listener: { name: 'b', privateHex: hex(seed('botz vector component b')), publicHex: hex(listener.raw) },
    grant,
    grantToken,
    dialerEphemeral: { privateHex: hex(seed('botz vector peer dialer ephemeral')), publicHex: hex(dialerEphemeral.raw) },
    listenerEphemeral: { privateHex: hex(seed('botz vector peer listener ephemeral')), publicHex: hex(listenerEphemeral.raw) },
    hello,
    helloPacketHex: hex(helloPacket),
    th1Hex: hex(th1),
    welcomeSignedHex: hex(welcomeSigned),
    welcome,
    welcomePacketHex: hex(welcomePacket),
    th2Hex: hex(th2),
    sharedSecretHex: hex(shared),
    dialerKeyHex: hex(dialerKey),
    listenerKeyHex: hex(listenerKey),
    auth,
    authPacketHex: hex(authPacket),
  };
}

export type IdentityVectors = ReturnType<typeof makeIdentityVectors>;
