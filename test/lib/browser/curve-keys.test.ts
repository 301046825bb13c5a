/**
 * The browser build's Ed25519, X25519 and HKDF (node-crypto.ts, curve-keys.ts over @noble/curves)
 * held to Node's own on arbitrary keys and data, and to the credential vectors
 * (test/vectors/identity.json), making exactly the calls identity/keys.ts and link-keys.ts make.
 */
import * as node from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as shim from '../../../src/lib/browser/node-crypto.js';

const v = JSON.parse(readFileSync(fileURLToPath(new URL('../../vectors/identity.json', import.meta.url)), 'utf8'));
const bytes = (h: string) => Buffer.from(h, 'hex');
const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });

type Crv = 'Ed25519' | 'X25519';
const privateJwk = (crv: Crv, raw: Uint8Array) => ({ key: { kty: 'OKP' as const, crv, d: b64(raw), x: '' }, format: 'jwk' as const });
const publicJwk = (crv: Crv, raw: Uint8Array) => ({ key: { kty: 'OKP' as const, crv, x: b64(raw) }, format: 'jwk' as const });

/** What keys.ts does: a private key from its raw 32 bytes, as a JWK, and its public half. */
function privateOf(api: typeof shim, crv: Crv, raw: Uint8Array): { privateKey: shim.CurveKey; publicKey: shim.CurveKey };
function privateOf(api: typeof node, crv: Crv, raw: Uint8Array): { privateKey: node.KeyObject; publicKey: node.KeyObject };
function privateOf(api: typeof shim | typeof node, crv: Crv, raw: Uint8Array) {
  const privateKey = api === shim ? shim.createPrivateKey(privateJwk(crv, raw)) : node.createPrivateKey(privateJwk(crv, raw));
  return { privateKey, publicKey: api === shim ? shim.createPublicKey(privateKey as shim.CurveKey) : node.createPublicKey(privateKey as node.KeyObject) };
}
const publicOf = (_api: typeof shim, crv: Crv, raw: Uint8Array): shim.CurveKey => shim.createPublicKey(publicJwk(crv, raw));
const rawPublic = (key: { export(o: { format: 'jwk' }): unknown }) => (key.export({ format: 'jwk' }) as { x: string }).x;

describe('the browser build: Ed25519 and X25519 as node:crypto gives them', () => {
  it('the same public keys, signatures and verdicts as Node, on arbitrary seeds and messages', () => {
    fc.assert(
      fc.property(seed, fc.uint8Array({ maxLength: 300 }), fc.nat(63), (raw, message, flip) => {
        const ours = privateOf(shim, 'Ed25519', raw);
        const nodes = privateOf(node, 'Ed25519', raw);
        expect(rawPublic(ours.publicKey)).toBe(rawPublic(nodes.publicKey));
        expect(ours.privateKey.export({ format: 'jwk' })).toEqual(nodes.privateKey.export({ format: 'jwk' }));
        const signature = shim.sign(null, message, ours.privateKey);
        expect(hex(signature)).toBe(hex(node.sign(null, message, nodes.privateKey)));
        const publicKey = publicOf(shim, 'Ed25519', Buffer.from(rawPublic(nodes.publicKey), 'base64url'));
        expect(shim.verify(null, message, publicKey, signature)).toBe(true);
        const bad = Buffer.from(signature);
        bad[flip] ^= 0x01;
        expect(shim.verify(null, message, publicKey, bad)).toBe(node.verify(null, message, nodes.publicKey, bad));
      }),
      { numRuns: 40 },
    );
  });

  it('the same X25519 public keys and shared secrets as Node', () => {
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        const oa = privateOf(shim, 'X25519', a);
        const [na, nb] = [privateOf(node, 'X25519', a), privateOf(node, 'X25519', b)];
        expect(rawPublic(oa.publicKey)).toBe(rawPublic(na.publicKey));
        const theirs = publicOf(shim, 'X25519', Buffer.from(rawPublic(nb.publicKey), 'base64url'));
        expect(hex(shim.diffieHellman({ privateKey: oa.privateKey, publicKey: theirs }))).toBe(hex(node.diffieHellman({ privateKey: na.privateKey, publicKey: nb.publicKey })));
      }),
      { numRuns: 20 },
    );
  });

  it('a small-order X25519 key throws, as OpenSSL does', () => {
    const ours = privateOf(shim, 'X25519', bytes(v.dialerEphemeral.privateHex)).privateKey;
    for (const low of [Buffer.alloc(32), Buffer.from([1, ...Buffer.alloc(31)])]) {
      expect(() => shim.diffieHellman({ privateKey: ours, publicKey: publicOf(shim, 'X25519', low) })).toThrow();
    }
  });

  it('fresh key pairs: random, and usable as Node would use them', () => {
    const a = shim.generateKeyPairSync('ed25519');
    const b = shim.generateKeyPairSync('ed25519');
    expect(rawPublic(a.publicKey)).not.toBe(rawPublic(b.publicKey));
    const signature = shim.sign(null, Buffer.from('hi'), a.privateKey);
    expect(node.verify(null, Buffer.from('hi'), node.createPublicKey({ key: { ...a.publicKey.export({ format: 'jwk' }) }, format: 'jwk' }), signature)).toBe(true);
    const x = shim.generateKeyPairSync('x25519');
    expect(x.privateKey.export({ format: 'jwk' })).toMatchObject({ crv: 'X25519', d: expect.any(String) });
    expect(() => shim.generateKeyPairSync('rsa')).toThrow();
  });

  it('HKDF-SHA256 is Node’s, for the lengths and inputs the link keys use and others', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 200 }), (ikm, salt, info, length) => {
        expect(hex(shim.hkdfSync('sha256', ikm, salt, info, length))).toBe(hex(node.hkdfSync('sha256', ikm, salt, info, length)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the browser build against the credential vectors (identity.json)', () => {
  it('the keys, the grant and handshake signatures, the X25519 secret and the link keys', () => {
    const issuer = privateOf(shim, 'Ed25519', bytes(v.issuer.privateHex));
    expect(Buffer.from(rawPublic(issuer.publicKey), 'base64url').toString('hex')).toBe(v.issuer.publicHex);
    expect(Buffer.from(rawPublic(privateOf(shim, 'Ed25519', bytes(v.component.privateHex)).publicKey), 'base64url').toString('hex')).toBe(v.component.publicHex);

    const labelled = Buffer.concat([Buffer.from('botz grant v1\0', 'ascii'), bytes(v.grantPayloadHex)]);
    expect(hex(shim.sign(null, labelled, issuer.privateKey))).toBe(v.grantSignatureHex);
    expect(shim.verify(null, labelled, publicOf(shim, 'Ed25519', bytes(v.issuer.publicHex)), bytes(v.grantSignatureHex))).toBe(true);
    expect(b64(shim.sign(null, bytes(v.welcomeSignedHex), issuer.privateKey))).toBe(v.welcome.proof);

    const dialer = privateOf(shim, 'X25519', bytes(v.dialerEphemeral.privateHex));
    expect(Buffer.from(rawPublic(dialer.publicKey), 'base64url').toString('hex')).toBe(v.dialerEphemeral.publicHex);
    const shared = shim.diffieHellman({ privateKey: dialer.privateKey, publicKey: publicOf(shim, 'X25519', bytes(v.listenerEphemeral.publicHex)) });
    expect(hex(shared)).toBe(v.sharedSecretHex);
    const derive = (info: string) => hex(shim.hkdfSync('sha256', shared, bytes(v.th2Hex), Buffer.from(info, 'ascii'), 32));
    expect([derive('botz link key dialer'), derive('botz link key listener')]).toEqual([v.dialerKeyHex, v.listenerKeyHex]);
  });
});
