/**
 * Builds test/vectors/sealed.json: one frame sealed end to end over a credential mesh
 * (PROTOCOL.md §12 Mesh, Credentials) from fixed keys, step by step, with node:crypto only (not
 * src/lib), so the file is a second reading of the spec that the library must agree with
 * (test/lib/identity/sealed-vectors.test.ts). Ed25519 signatures are deterministic, so every
 * value is.
 *
 * Run: `UPDATE_VECTORS=1 npx vitest run test/lib/identity/sealed-vectors.test.ts` rewrites the file.
 */
import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, sign } from 'node:crypto';

const NOW = 1_767_225_600_000;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const seed = (label: string) => createHash('sha256').update(label).digest();
const ZERO = Buffer.from([0]);

function okp(crv: 'Ed25519' | 'X25519', d: Buffer) {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv, d: b64(d), x: '' }, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, d, raw: Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url') };
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

export function makeSealedVectors() {
  const issuer = okp('Ed25519', seed('botz vector issuer'));
  const node = (name: string) => {
    const identity = okp('Ed25519', seed(`botz vector component ${name}`));
    const grant = { v: 1, id: `grant-${name}`, name, key: b64(identity.raw), issuedAt: NOW - 60_000, expiresAt: null, permissions: { register: true, send: ['*'], broadcast: [], shutdown: [], tail: [], tailBodies: false, list: false } };
    const payload = Buffer.from(JSON.stringify(grant), 'utf8');
    const token = `${b64(payload)}.${b64(sign(null, Buffer.concat([Buffer.from('botz grant v1'), ZERO, payload]), issuer.privateKey))}`;
    const meshKey = okp('X25519', seed(`botz vector mesh key ${name}`));
    const signed = Buffer.concat([Buffer.from('botz mesh key v1'), ZERO, Buffer.from(name, 'utf8'), ZERO, meshKey.raw]);
    const proof = sign(null, signed, identity.privateKey);
    return {
      name,
      identitySeedHex: hex(identity.d),
      grant,
      meshKeyPrivateHex: hex(meshKey.d),
      meshKeyPublicHex: hex(meshKey.raw),
      meshKeySignedHex: hex(signed),
      identity: { grant: token, key: b64(meshKey.raw), proof: b64(proof) },
      meshKey,
      identityKey: identity.privateKey,
    };
  };
  const a = node('a');
  const c = node('c');
  const shared = diffieHellman({ privateKey: a.meshKey.privateKey, publicKey: c.meshKey.publicKey });
  const derive = (from: Buffer, to: Buffer) => Buffer.from(hkdfSync('sha256', shared, Buffer.concat([from, to]), Buffer.from('botz sealed v1'), 32));
  const keyAtoC = derive(a.meshKey.raw, c.meshKey.raw);
  const keyCtoA = derive(c.meshKey.raw, a.meshKey.raw);

  const frames = [{ v: 1, id: 'a.1', from: 'a', type: 'request', body: { q: 1 } }];
  const plaintext = Buffer.concat([ZERO, Buffer.from(JSON.stringify(frames), 'utf8')]);
  const n = 1;
  const ts = NOW;
  const nonce = Buffer.concat([Buffer.alloc(4), u64(n)]);
  const aad = Buffer.concat([Buffer.from('botz sealed v1'), ZERO, Buffer.from('a'), ZERO, Buffer.from('c'), ZERO, u64(ts)]);
  const cipher = createCipheriv('aes-256-gcm', keyAtoC, nonce);
  cipher.setAAD(aad);
  const box = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  // The first frame a seals for c carries a's identity; once c has sealed something for a's key, a leaves it out.
  const sealed = { v: 1, id: 'a.2', from: 'a', type: 'sealed', to: 'c', key: a.identity.key, identity: a.identity, n, ts, box: { $bin: hex(box) } };

  // a's announcement: linked to c, signed by a's credential key over it and a's mesh key.
  const msa = { origin: 'a', incarnation: NOW - 5_000, seq: 7, neighbours: ['b', 'c'] };
  const msaSignedBytes = Buffer.concat([
    Buffer.from('botz msa v1'),
    ZERO,
    Buffer.from('a'),
    ZERO,
    u64(msa.incarnation),
    u64(msa.seq),
    a.meshKey.raw,
    ...msa.neighbours.flatMap((n) => [Buffer.from(n, 'utf8'), ZERO]),
  ]);
  const msaFrame = { ...msa, identity: a.identity, sig: b64(sign(null, msaSignedBytes, a.identityKey)) };

  const strip = ({ meshKey: _k, identityKey: _i, ...rest }: ReturnType<typeof node>) => rest;
  return {
    note: 'One frame sealed by a for c over a credential mesh (PROTOCOL.md §12 Mesh, Credentials). Seeds and keys are raw 32 bytes (hex); `box` is a MessagePack bin, written {"$bin": hex}.',
    issuerPublicHex: hex(issuer.raw),
    a: strip(a),
    c: strip(c),
    sharedSecretHex: hex(shared),
    keyAtoCHex: hex(keyAtoC),
    keyCtoAHex: hex(keyCtoA),
    frames,
    plaintextHex: hex(plaintext),
    n,
    ts,
    nonceHex: hex(nonce),
    aadHex: hex(aad),
    boxHex: hex(box),
    sealed,
    msaSignedHex: hex(msaSignedBytes),
    msa: msaFrame,
  };
}

export type SealedVectors = ReturnType<typeof makeSealedVectors>;
