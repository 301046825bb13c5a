/**
 * test/vectors/sealed.json (scripts/make-sealed-vectors.ts, node:crypto only) against the
 * library: the signed mesh keys, the X25519 secret, the two directional keys, the nonce, the
 * associated data, the plaintext and the box; and opening it fails under the other direction's
 * key, another `to`, or any changed byte. UPDATE_VECTORS=1 rewrites the file.
 */
import { describe, expect, it } from 'vitest';
import { makeSealedVectors, type SealedVectors } from '../../../scripts/make-sealed-vectors.js';
import { verifyGrant } from '../../../src/lib/identity/grant.js';
import { ed25519Public, ed25519Verify, x25519Private, x25519Shared } from '../../../src/lib/identity/keys.js';
import { meshKeySigned, msaSigned, openBox, sealBox, sealedAad, sealedKey, sealedNonce } from '../../../src/lib/identity/sealed.js';
import { decodeFrames, encodeFrames } from '../../../src/lib/mesh/sealing.js';
import type { CarriedFrame } from '../../../src/lib/wire/mesh-frames.js';
import { bytes, vectorFile } from '../../helpers/vectors.js';

const generated = makeSealedVectors();
const v: SealedVectors = vectorFile('sealed.json', generated);

describe('sealed frame vectors', () => {
  it('sealed.json is what scripts/make-sealed-vectors.ts produces', () => {
    expect(v).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('each mesh key is signed by its grant key, and the grants are the issuer\'s', () => {
    const issuer = ed25519Public(bytes(v.issuerPublicHex));
    for (const n of [v.a, v.c]) {
      const grant = verifyGrant(n.identity.grant, issuer);
      expect(grant).toEqual(n.grant);
      expect(meshKeySigned(n.name, bytes(n.meshKeyPublicHex)).toString('hex')).toBe(n.meshKeySignedHex);
      expect(ed25519Verify(ed25519Public(Buffer.from(grant.key, 'base64url')), bytes(n.meshKeySignedHex), Buffer.from(n.identity.proof, 'base64url'))).toBe(true);
      expect(Buffer.from(n.identity.key, 'base64url').toString('hex')).toBe(n.meshKeyPublicHex);
    }
  });

  it('the shared secret and one key per direction', () => {
    const shared = x25519Shared(x25519Private(bytes(v.a.meshKeyPrivateHex)).privateKey, bytes(v.c.meshKeyPublicHex));
    expect(shared.toString('hex')).toBe(v.sharedSecretHex);
    expect(x25519Shared(x25519Private(bytes(v.c.meshKeyPrivateHex)).privateKey, bytes(v.a.meshKeyPublicHex)).toString('hex')).toBe(v.sharedSecretHex);
    expect(sealedKey(shared, bytes(v.a.meshKeyPublicHex), bytes(v.c.meshKeyPublicHex)).toString('hex')).toBe(v.keyAtoCHex);
    expect(sealedKey(shared, bytes(v.c.meshKeyPublicHex), bytes(v.a.meshKeyPublicHex)).toString('hex')).toBe(v.keyCtoAHex);
    expect(v.keyAtoCHex).not.toBe(v.keyCtoAHex);
  });

  it('the plaintext, nonce, associated data and box', () => {
    expect(encodeFrames(v.frames as CarriedFrame[]).toString('hex')).toBe(v.plaintextHex);
    expect(decodeFrames(bytes(v.plaintextHex))).toEqual(v.frames);
    expect(sealedNonce(v.n).toString('hex')).toBe(v.nonceHex);
    expect(sealedAad('a', 'c', v.ts).toString('hex')).toBe(v.aadHex);
    expect(sealBox(bytes(v.keyAtoCHex), v.n, bytes(v.aadHex), bytes(v.plaintextHex)).toString('hex')).toBe(v.boxHex);
    expect(v.sealed.box.$bin).toBe(v.boxHex);
  });

  it("an announcement's signature: the bytes signed, and the signature under a's credential key", () => {
    const m = v.msa;
    const signed = msaSigned(m.origin, m.incarnation, m.seq, bytes(v.a.meshKeyPublicHex), m.neighbours);
    expect(signed.toString('hex')).toBe(v.msaSignedHex);
    const aKey = ed25519Public(Buffer.from(v.a.grant.key, 'base64url'));
    expect(ed25519Verify(aKey, signed, Buffer.from(m.sig, 'base64url'))).toBe(true);
    expect(ed25519Verify(aKey, msaSigned(m.origin, m.incarnation, m.seq + 1, bytes(v.a.meshKeyPublicHex), m.neighbours), Buffer.from(m.sig, 'base64url'))).toBe(false);
    expect(ed25519Verify(aKey, msaSigned(m.origin, m.incarnation, m.seq, bytes(v.a.meshKeyPublicHex), ['b']), Buffer.from(m.sig, 'base64url'))).toBe(false);
  });

  it('the box opens only under the key, counter and associated data it was sealed with', () => {
    const key = bytes(v.keyAtoCHex);
    const box = bytes(v.boxHex);
    expect(openBox(key, v.n, bytes(v.aadHex), box)?.toString('hex')).toBe(v.plaintextHex);
    expect(openBox(bytes(v.keyCtoAHex), v.n, bytes(v.aadHex), box)).toBeUndefined();
    expect(openBox(key, v.n + 1, bytes(v.aadHex), box)).toBeUndefined();
    expect(openBox(key, v.n, sealedAad('a', 'b', v.ts), box)).toBeUndefined();
    expect(openBox(key, v.n, sealedAad('a', 'c', v.ts + 1), box)).toBeUndefined();
    for (let i = 0; i < box.length; i++) {
      const changed = Buffer.from(box);
      changed[i] ^= 0x80;
      expect(openBox(key, v.n, bytes(v.aadHex), changed)).toBeUndefined();
    }
    expect(openBox(key, v.n, bytes(v.aadHex), box.subarray(0, 15))).toBeUndefined();
  });
});
