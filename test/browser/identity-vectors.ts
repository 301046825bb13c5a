/**
 * Runs in Chromium: the credential vectors (test/vectors/identity.json) through the browser
 * build's own identity code (keys.ts, grant.ts, credential.ts, link-keys.ts over the
 * node:crypto shim: @noble/curves and the synchronous HMAC). The browser test bundles this file
 * with the browser build's plugin; it returns what it computed, and the test compares.
 */
import { loadCredential } from '../../src/lib/identity/credential.js';
import { verifyGrant } from '../../src/lib/identity/grant.js';
import { ed25519Private, ed25519Public, ed25519Sign, ed25519Verify, rawPublic, x25519Private, x25519Shared } from '../../src/lib/identity/keys.js';
import { authSigned, HANDSHAKE_SECRET, helloTranscript, linkKeys, welcomeSigned, welcomeTranscript } from '../../src/lib/identity/link-keys.js';

interface Pair {
  privateHex: string;
  publicHex: string;
}
interface Vectors {
  issuer: Pair;
  component: Pair & { name: string };
  dialerEphemeral: Pair;
  listenerEphemeral: Pair;
  grantToken: string;
  helloPacketHex: string;
  welcomePacketHex: string;
  welcome: { nonce: string; proof: string };
  auth: { proof: string };
}

const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

function check(v: Vectors): Record<string, unknown> {
  const issuer = ed25519Private(unhex(v.issuer.privateHex));
  const component = ed25519Private(unhex(v.component.privateHex));
  const grant = verifyGrant(v.grantToken, ed25519Public(unhex(v.issuer.publicHex)));
  const credential = loadCredential({ botzCredential: 1, name: v.component.name, grant: v.grantToken, privateKey: b64(unhex(v.component.privateHex)), issuer: b64(unhex(v.issuer.publicHex)) });
  const th1 = helloTranscript(unhex(v.helloPacketHex));
  const listenerEphemeral = x25519Private(unhex(v.listenerEphemeral.privateHex));
  const welcomeBytes = welcomeSigned(th1, rawPublic(listenerEphemeral.publicKey), v.welcome.nonce);
  const th2 = welcomeTranscript(th1, unhex(v.welcomePacketHex));
  const shared = x25519Shared(x25519Private(unhex(v.dialerEphemeral.privateHex)).privateKey, unhex(v.listenerEphemeral.publicHex));
  const keys = linkKeys(shared, th2);
  let tampered: string;
  try {
    verifyGrant(v.grantToken.slice(0, -4) + (v.grantToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'), ed25519Public(unhex(v.issuer.publicHex)));
    tampered = 'verified';
  } catch (error) {
    tampered = (error as { code?: string }).code ?? String(error);
  }
  return {
    handshakeSecretHex: hex(HANDSHAKE_SECRET),
    issuerPublicHex: hex(rawPublic(issuer.publicKey)),
    componentPublicHex: hex(rawPublic(component.publicKey)),
    grant,
    credentialName: credential.name,
    th1Hex: hex(th1),
    welcomeSignedHex: hex(welcomeBytes),
    welcomeProof: b64(ed25519Sign(issuer.privateKey, welcomeBytes)),
    welcomeProofVerifies: ed25519Verify(ed25519Public(unhex(v.issuer.publicHex)), welcomeBytes, Buffer.from(v.welcome.proof, 'base64url')),
    th2Hex: hex(th2),
    authProof: b64(ed25519Sign(component.privateKey, authSigned(th2))),
    sharedSecretHex: hex(shared),
    dialerKeyHex: hex(keys.dialer),
    listenerKeyHex: hex(keys.listener),
    tampered,
  };
}

(globalThis as { botzIdentityVectors?: typeof check }).botzIdentityVectors = check;
