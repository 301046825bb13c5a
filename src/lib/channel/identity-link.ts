/**
 * One end of a credential link's handshake (PROTOCOL.md §3b): it remembers the handshake
 * packets as they went over the wire, checks the other end's signature over them, and derives
 * the link's two keys. The Channel carries the frames; this holds the state and the checks.
 *
 *   dialer (credential C)                          listener (server, issuer key I)
 *     hello {…, grant, ephemeral: e_D}   ──────▶   grant signed by I? names hello.from? not
 *       (MACed with the public handshake key)        revoked or expired?   th1 = H(label ‖ hello)
 *     welcome {…, ephemeral: e_L,        ◀──────   proof = Sign_I(label ‖ th1 ‖ e_L ‖ nonce)
 *              proof}                              th2 = H(th1 ‖ welcome packet)
 *     keys = HKDF(X25519(e_D, e_L), th2)
 *     auth {…, proof: Sign_C(label ‖ th2)} ─────▶  sealed with the dialer's link key: proves
 *       (and every packet after it, both ways,      the key; the proof proves the credential
 *        under the link keys)
 *
 * A peer link (a direct link between two credential components) is the same handshake with the
 * listener proving its own credential instead of the issuer key: its welcome carries its grant,
 * and the proof is signed by that grant's key. The dialer accepts only a grant for the name it
 * dialed; the listener only a dialer whose wire name is its grant's name exactly.
 */
import type { KeyObject } from 'node:crypto';
import { AuthFailed, BotzError, ErrorCode } from '../errors.js';
import type { Frame, FrameOf, HelloFrame } from '../wire/frames.js';
import { Keyring } from '../wire/keyring.js';
import { PacketOpener, type PacketSealer } from '../wire/packet.js';
import { grantProblem, type Credential } from '../identity/credential.js';
import { mayUseWireName, verifyGrant, type Grant } from '../identity/grant.js';
import { ANY_DESTINATION, SERVER_DESTINATION } from '../wire/packet.js';
import { ed25519Public, ed25519Sign, ed25519Verify, newX25519, rawPublic, x25519Shared, type KeyPair } from '../identity/keys.js';
import { authSigned, HANDSHAKE_SECRET, helloTranscript, linkKeys, welcomeSigned, welcomeTranscript } from '../identity/link-keys.js';
import type { NodeContext } from './node-context.js';

/** The keyring of hellos and welcomes of credential links: the public handshake key only. */
export const HANDSHAKE_KEYRING = new Keyring([HANDSHAKE_SECRET]);

/** True when a packet's header names the handshake key (read before verifying: it is framing, §3). */
export function sealedWithHandshakeKey(data: Buffer): boolean {
  return data.length >= 6 && data.readUInt32BE(2) === HANDSHAKE_KEYRING.primary.id;
}

const b64 = (s: unknown): Buffer => Buffer.from(typeof s === 'string' ? s : '', 'base64url');

/**
 * The handshake of a credential link, at either end. It drives the channel's keys: the sealer
 * seals under the handshake key until the link keys are derived, then under ours; `opener`
 * opens what the other end sends.
 */
export class IdentityLink {
  /** Opens the other end's packets: the handshake key's, then the link key's. */
  opener: PacketOpener;
  /** The other end's verified grant: the dialer's (at a listener, once the hello was judged), or a peer listener's (at its dialer). */
  grant: Grant | undefined;
  private readonly ephemeral: KeyPair = newX25519();
  private th1: Buffer | undefined;
  private th2: Buffer | undefined;
  /** The first packet this end sent: the dialer's hello, or the listener's welcome. */
  private firstSent: Buffer | undefined;
  private peerEphemeral: Buffer | undefined;

  private constructor(
    private readonly ctx: NodeContext,
    private readonly sealer: PacketSealer,
    /** Dialer: the name it dialed (the server, or a component that must prove a credential for it). */
    private readonly expect?: string,
  ) {
    sealer.rekey(HANDSHAKE_KEYRING);
    this.opener = this.openerOf(HANDSHAKE_KEYRING);
  }

  /** Dialer: a credential link when this node has a credential. */
  static forDialer(ctx: NodeContext, sealer: PacketSealer, expect: string): IdentityLink | undefined {
    return ctx.identity.credential ? new IdentityLink(ctx, sealer, expect) : undefined;
  }

  /**
   * Listener: a credential link when this node judges credentials (a server's authority, or a
   * component's own credential: it admits peers of its issuer) and the first packet came under
   * the handshake key.
   */
  static forHello(ctx: NodeContext, sealer: PacketSealer, firstPacket: Buffer): IdentityLink | undefined {
    return (ctx.identity.authority || ctx.identity.credential) && sealedWithHandshakeKey(firstPacket) ? new IdentityLink(ctx, sealer) : undefined;
  }

  /** Called with every packet the channel writes: the first one is part of the transcript. */
  sent(bytes: Buffer): void {
    this.firstSent ??= Buffer.from(bytes);
  }

  /** Dialer: the hello's identity fields. */
  helloFields(): { grant: string; ephemeral: string } {
    return { grant: this.ctx.identity.credential!.token, ephemeral: rawPublic(this.ephemeral.publicKey).toString('base64url') };
  }

  /**
   * Listener: judges a hello that came under the handshake key. Throws AUTH_FAILED (not a
   * credential hello), CREDENTIAL_REJECTED (forged, expired, revoked, another name).
   */
  judgeHello(hello: HelloFrame, helloPacket: Buffer): Grant {
    const { authority, credential } = this.ctx.identity;
    if (typeof hello.grant !== 'string' || typeof hello.ephemeral !== 'string') {
      throw new AuthFailed('a hello under the handshake key must carry a grant and an ephemeral key');
    }
    const grant = verifyGrant(hello.grant, authority ? authority.publicKey : credential!.issuer);
    // A peer cannot tell which `NAME.suffix` names belong to other credentials (the server can): exact names only.
    if (authority ? !mayUseWireName(grant, hello.from) : hello.from !== grant.name) {
      throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, `credential refused: it is for "${grant.name}", not "${hello.from}"`);
    }
    // A peer knows the revocations its server told it of (the `revoked` frame, §12 Credentials).
    const problem = grantProblem(grant, authority ?? this.toldRevocations, this.ctx.clock.now());
    if (problem) throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, `credential refused: ${problem}`);
    this.peerEphemeral = b64(hello.ephemeral);
    x25519Shared(this.ephemeral.privateKey, this.peerEphemeral); // refuses a small-order key now, not at the auth
    this.th1 = helloTranscript(helloPacket);
    this.grant = grant;
    return grant;
  }

  /** Listener: the welcome's identity fields (the issuer signs the transcript so far; a peer signs it with its credential and shows its grant). */
  welcomeFields(nonce: string): { ephemeral: string; proof: string; grant?: string } {
    const { authority, credential } = this.ctx.identity;
    const ephemeral = rawPublic(this.ephemeral.publicKey);
    const proof = ed25519Sign(authority ? authority.privateKey : credential!.privateKey, welcomeSigned(this.th1!, ephemeral, nonce));
    return { ephemeral: ephemeral.toString('base64url'), proof: proof.toString('base64url'), ...(authority ? {} : { grant: credential!.token }) };
  }

  /** Listener, right after the welcome went out: the link's keys, from now on. */
  listenerKeys(): void {
    const keys = this.derive(this.th1!, this.firstSent!);
    this.useKeys(keys.listener, keys.dialer);
  }

  /** Listener: the auth must carry the credential's signature over th2. Throws AUTH_FAILED. */
  checkAuth(auth: Frame): void {
    const proof = auth.type === 'auth' ? b64(auth.proof) : Buffer.alloc(0);
    if (!ed25519Verify(ed25519Public(b64(this.grant!.key)), authSigned(this.th2!), proof)) {
      throw new AuthFailed(`"${this.grant!.name}" did not prove it holds the credential's key`);
    }
  }

  /**
   * Dialer: checks that the welcome is the issuer's answer to our hello, and derives the keys.
   * AUTH_FAILED (returned, not thrown): a listener that is not the server that issued our
   * credential; CREDENTIAL_REJECTED: an unusable ephemeral key.
   */
  dialerKeys(welcome: FrameOf<'welcome'>, welcomePacket: Buffer): { proof: string } | BotzError {
    const credential: Credential = this.ctx.identity.credential!;
    const th1 = helloTranscript(this.firstSent!);
    const ephemeral = b64(welcome.ephemeral);
    const signer = this.listenerKey(welcome);
    if (signer instanceof BotzError) return signer;
    if (!ed25519Verify(signer, welcomeSigned(th1, ephemeral, welcome.nonce), b64(welcome.proof))) {
      return new AuthFailed(
        this.expect === SERVER_DESTINATION ? 'the listener did not prove it is the server that issued our credential' : `the listener did not prove it holds the credential for "${this.expect}"`,
      );
    }
    this.peerEphemeral = ephemeral;
    let keys;
    try {
      keys = this.derive(th1, welcomePacket);
    } catch (error) {
      return error as BotzError;
    }
    this.useKeys(keys.dialer, keys.listener);
    return { proof: ed25519Sign(credential.privateKey, authSigned(this.th2!)).toString('base64url') };
  }

  /**
   * Dialer: the key the welcome's proof must verify under. The server proves the issuer key; a
   * component we dialed proves a grant of our issuer for exactly the name we dialed, unexpired;
   * a mesh node dialed by address (`*`) proves a grant of our issuer for whatever name it has,
   * and that name is the link's peer from then on (§12 Mesh, Credentials).
   */
  private listenerKey(welcome: FrameOf<'welcome'>): KeyObject | BotzError {
    const credential = this.ctx.identity.credential!;
    if (this.expect === SERVER_DESTINATION) {
      return welcome.grant === undefined ? credential.issuer : new AuthFailed('the server answered with a grant: it is not the server that issued our credential');
    }
    if (typeof welcome.grant !== 'string') return new AuthFailed(`the listener did not prove a credential for "${this.expect}"`);
    let grant: Grant;
    try {
      grant = verifyGrant(welcome.grant, credential.issuer);
    } catch (error) {
      return new AuthFailed(`the listener's grant is not our issuer's: ${(error as Error).message}`);
    }
    const problem = this.expect !== ANY_DESTINATION && grant.name !== this.expect ? `it is for "${grant.name}", not "${this.expect}"` : grantProblem(grant, this.toldRevocations, this.ctx.clock.now());
    if (problem) return new AuthFailed(`the listener's credential is refused: ${problem}`);
    this.grant = grant;
    return ed25519Public(b64(grant.key));
  }

  /** What a peer knows of revocations: what its server told it. */
  private get toldRevocations(): { isRevoked(id: string): boolean } {
    return { isRevoked: (id) => this.ctx.revokedGrants.has(id) };
  }

  private derive(th1: Buffer, welcomePacket: Buffer) {
    this.th2 = welcomeTranscript(th1, welcomePacket);
    return linkKeys(x25519Shared(this.ephemeral.privateKey, this.peerEphemeral!), this.th2);
  }

  private useKeys(ours: Buffer, theirs: Buffer): void {
    this.sealer.rekey(new Keyring([ours]));
    this.opener = this.openerOf(new Keyring([theirs]));
  }

  /** An opener under `keyring` that shares the node's replay guard (instances are unique per node, whatever the key). */
  private openerOf(keyring: Keyring): PacketOpener {
    return new PacketOpener({ keyring, guard: this.ctx.opener.guard, maxPacketBytes: this.ctx.maxPacketBytes });
  }
}
