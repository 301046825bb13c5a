/**
 * test/vectors/identity.json (scripts/make-identity-vectors.ts, node:crypto only) against the
 * library: grant verification, the transcript, the signatures, the X25519 secret, the link keys
 * and their key ids. UPDATE_VECTORS=1 rewrites the file.
 */
import { describe, expect, it } from 'vitest';
import { makeIdentityVectors, type IdentityVectors } from '../../../scripts/make-identity-vectors.js';
import { HANDSHAKE_KEYRING } from '../../../src/lib/channel/identity-link.js';
import { loadCredential } from '../../../src/lib/identity/credential.js';
import { verifyGrant } from '../../../src/lib/identity/grant.js';
import { ed25519Public, ed25519Verify, x25519Private, x25519Shared } from '../../../src/lib/identity/keys.js';
import { authSigned, HANDSHAKE_SECRET, helloTranscript, linkKeys, welcomeSigned, welcomeTranscript } from '../../../src/lib/identity/link-keys.js';
import { Keyring } from '../../../src/lib/wire/keyring.js';
import { PacketOpener } from '../../../src/lib/wire/packet.js';
import { ReplayGuard } from '../../../src/lib/wire/replay.js';
import { bytes, vectorFile } from '../../helpers/vectors.js';

const generated = makeIdentityVectors();
const v: IdentityVectors = vectorFile('identity.json', generated);

describe('identity vectors', () => {
  it('identity.json is what scripts/make-identity-vectors.ts produces', () => {
    expect(v).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('the handshake key and its id', () => {
    expect(HANDSHAKE_SECRET.toString('hex')).toBe(v.handshakeSecretHex);
    expect(HANDSHAKE_KEYRING.primary.id.toString(16).padStart(8, '0')).toBe(v.handshakeKeyId);
  });

  it('the grant token verifies under the issuer and a credential file built from the vector loads', () => {
    const issuer = ed25519Public(bytes(v.issuer.publicHex));
    expect(verifyGrant(v.grantToken, issuer)).toEqual(v.grant);
    const credential = loadCredential({ botzCredential: 1, name: 'a', grant: v.grantToken, privateKey: bytes(v.component.privateHex).toString('base64url'), issuer: bytes(v.issuer.publicHex).toString('base64url') });
    expect(credential.name).toBe('a');
    // One changed byte of the payload and the signature no longer verifies.
    const [payload, signature] = v.grantToken.split('.');
    const altered = Buffer.from(payload, 'base64url');
    altered[altered.length - 3] ^= 1;
    expect(() => verifyGrant(`${altered.toString('base64url')}.${signature}`, issuer)).toThrow(/issuer signature/);
  });

  it('the transcript, the signatures, the shared secret and the link keys', () => {
    const th1 = helloTranscript(bytes(v.helloPacketHex));
    expect(th1.toString('hex')).toBe(v.th1Hex);
    expect(welcomeSigned(th1, bytes(v.listenerEphemeral.publicHex), v.welcome.nonce).toString('hex')).toBe(v.welcomeSignedHex);
    const issuer = ed25519Public(bytes(v.issuer.publicHex));
    expect(ed25519Verify(issuer, bytes(v.welcomeSignedHex), Buffer.from(v.welcome.proof, 'base64url'))).toBe(true);
    const th2 = welcomeTranscript(th1, bytes(v.welcomePacketHex));
    expect(th2.toString('hex')).toBe(v.th2Hex);
    const shared = x25519Shared(x25519Private(bytes(v.dialerEphemeral.privateHex)).privateKey, bytes(v.listenerEphemeral.publicHex));
    expect(shared.toString('hex')).toBe(v.sharedSecretHex);
    expect(x25519Shared(x25519Private(bytes(v.listenerEphemeral.privateHex)).privateKey, bytes(v.dialerEphemeral.publicHex)).toString('hex')).toBe(v.sharedSecretHex);
    const keys = linkKeys(shared, th2);
    expect([keys.dialer.toString('hex'), keys.listener.toString('hex')]).toEqual([v.dialerKeyHex, v.listenerKeyHex]);
    expect(new Keyring([keys.dialer]).primary.id.toString(16).padStart(8, '0')).toBe(v.dialerKeyId);
    expect(ed25519Verify(ed25519Public(bytes(v.component.publicHex)), authSigned(th2), Buffer.from(v.auth.proof, 'base64url'))).toBe(true);
  });

  it('the packets open under their keys: hello and welcome under the handshake key, the auth under the dialer key only', () => {
    const opener = (keyring: Keyring) => new PacketOpener({ keyring, guard: new ReplayGuard({ now: () => 1_767_225_600_000 }) });
    expect(opener(HANDSHAKE_KEYRING).open(bytes(v.helloPacketHex)).frames).toEqual([v.hello]);
    expect(opener(HANDSHAKE_KEYRING).open(bytes(v.welcomePacketHex)).frames).toEqual([v.welcome]);
    expect(opener(new Keyring([bytes(v.dialerKeyHex)])).open(bytes(v.authPacketHex)).frames).toEqual([v.auth]);
    expect(() => opener(HANDSHAKE_KEYRING).open(bytes(v.authPacketHex))).toThrow(/unknown key/);
  });

  it("a peer link: the listener's grant verifies under the issuer, its key signs the welcome, and the keys follow as on a server link", () => {
    const p = v.peerLink;
    const issuer = ed25519Public(bytes(v.issuer.publicHex));
    expect(verifyGrant(p.grantToken, issuer)).toEqual(p.grant);
    const th1 = helloTranscript(bytes(p.helloPacketHex));
    expect(th1.toString('hex')).toBe(p.th1Hex);
    expect(welcomeSigned(th1, bytes(p.listenerEphemeral.publicHex), p.welcome.nonce).toString('hex')).toBe(p.welcomeSignedHex);
    const listenerKey = ed25519Public(bytes(p.listener.publicHex));
    expect(ed25519Verify(listenerKey, bytes(p.welcomeSignedHex), Buffer.from(p.welcome.proof, 'base64url'))).toBe(true);
    // The issuer did not sign this welcome: a dialer expecting the server refuses it.
    expect(ed25519Verify(issuer, bytes(p.welcomeSignedHex), Buffer.from(p.welcome.proof, 'base64url'))).toBe(false);
    const th2 = welcomeTranscript(th1, bytes(p.welcomePacketHex));
    expect(th2.toString('hex')).toBe(p.th2Hex);
    const shared = x25519Shared(x25519Private(bytes(p.dialerEphemeral.privateHex)).privateKey, bytes(p.listenerEphemeral.publicHex));
    expect(shared.toString('hex')).toBe(p.sharedSecretHex);
    const keys = linkKeys(shared, th2);
    expect([keys.dialer.toString('hex'), keys.listener.toString('hex')]).toEqual([p.dialerKeyHex, p.listenerKeyHex]);
    expect(ed25519Verify(ed25519Public(bytes(v.component.publicHex)), authSigned(th2), Buffer.from(p.auth.proof, 'base64url'))).toBe(true);
    const opener = (keyring: Keyring) => new PacketOpener({ keyring, guard: new ReplayGuard({ now: () => 1_767_225_600_000 }) });
    expect(opener(HANDSHAKE_KEYRING).open(bytes(p.welcomePacketHex)).frames).toEqual([p.welcome]);
    expect(opener(new Keyring([keys.dialer])).open(bytes(p.authPacketHex)).frames).toEqual([p.auth]);
  });

  it('an X25519 public key of small order is refused', () => {
    const ours = x25519Private(bytes(v.dialerEphemeral.privateHex)).privateKey;
    expect(() => x25519Shared(ours, Buffer.alloc(32))).toThrow(/usable X25519/);
  });
});
