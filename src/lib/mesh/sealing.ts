/**
 * What makes a mesh of credential nodes safe to route through (PROTOCOL.md §12 Mesh,
 * Credentials): every frame a credential node originates over the mesh is sealed for its one
 * recipient (identity/sealed.ts), so a node on the path can neither read it nor pass off frames
 * of its own as another's. The hops still see the meshSend around it (origin, recipients, path).
 *
 *   a (grant a, mesh key A)            hops (any grants)          c (grant c, mesh key C)
 *   C from c's announcement ──────────────────────────────────── (msa.identity: grant, C, proof)
 *   sealed {to: c, key: A,         ── meshSend ──▶ … ──────────▶ grant a by our issuer, unrevoked,
 *     identity: a's (until c has                                  proof over A by a's key (from the
 *     sealed for A), n, ts,                                       frame, or checked before, or a's
 *     box: AES-GCM(K_AC)}                                         announcement), fresh (n, ts);
 *                                                                 open with K_AC: frames all `from: a`
 *
 * One key pair per run: a restart of either end changes every key it shares.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { NodeContext } from '../channel/node-context.js';
import { grantProblem, type Credential } from '../identity/credential.js';
import { verifyGrant, type Grant } from '../identity/grant.js';
import { ed25519Public, ed25519Sign, ed25519Verify, newX25519, rawPublic, x25519Shared } from '../identity/keys.js';
import { meshKeySigned, msaSigned, openBox, sealBox, sealedAad, sealedKey } from '../identity/sealed.js';
import type { Announcement } from './topology.js';
import { CODEC_BY_ID, CODECS } from '../wire/codec.js';
import { validateCarried } from '../wire/validate.js';
import { hasBinary } from '../wire/values.js';
import { ReplayGuard } from '../wire/replay.js';
import type { CarriedFrame, MeshIdentity, MsaFrame, SealedFrame } from '../wire/mesh-frames.js';

/** The largest box sent as base64url text (larger ones go as bytes). */
export const MAX_TEXT_BOX_BYTES = 64 * 1024;

/** The most other nodes' verified mesh keys kept (a cache: one more is verified again when needed). */
const MAX_KNOWN_KEYS = 4096;

interface KnownKey {
  /** The identity as verified (a later one for the same name and key must be the same strings to be taken without checking again). */
  identity: MeshIdentity;
  grant: Grant;
  raw: Buffer;
  /** Seals what we send it, opens what it sends us. */
  toThem: Buffer;
  fromThem: Buffer;
}

/** Frames a credential node opened: whose they are (the grant it proved) and the frames. */
export interface Opened {
  grant: Grant;
  frames: CarriedFrame[];
}

const refused = (why: string): BotzError => new BotzError(ErrorCode.CREDENTIAL_REJECTED, why);

export class MeshSealing {
  /** What this node announces: its grant, this run's mesh key, and the key's signature. */
  readonly identity: MeshIdentity;
  private readonly credential: Credential;
  private readonly keys = newX25519();
  private readonly ownKey: Buffer;
  private counter = 0;
  private readonly known = new Map<string, KnownKey>();
  /** `name\nkey` of nodes that sealed something for our current key: they know our identity, so ours is left out of what we seal for them. */
  private readonly knowsUs = new Set<string>();
  private readonly guard: ReplayGuard;
  /** What this node knows of revocations: what its server told it (§12 Credentials). */
  private readonly revocations = { isRevoked: (id: string) => this.ctx.revokedGrants.has(id) };

  constructor(
    private readonly ctx: NodeContext,
    /** The identity a node last announced (our topology), for a sealed frame that leaves it out. */
    private readonly announced: (name: string) => MeshIdentity | undefined = () => undefined,
  ) {
    this.credential = ctx.identity.credential!;
    this.ownKey = rawPublic(this.keys.publicKey);
    const proof = ed25519Sign(this.credential.privateKey, meshKeySigned(ctx.name, this.ownKey));
    this.identity = { grant: this.credential.token, key: this.ownKey.toString('base64url'), proof: proof.toString('base64url') };
    this.guard = new ReplayGuard({ now: () => ctx.clock.now() });
  }

  /**
   * One sealed frame holding `frames` (stamped by this node) for `to`, whose announced mesh key
   * is `theirs`. Throws NO_ROUTE (no key announced: not a credential node, or not known yet) or
   * CREDENTIAL_REJECTED (a key that does not verify, a grant revoked or expired).
   */
  seal(to: string, theirs: MeshIdentity | undefined, frames: readonly CarriedFrame[]): SealedFrame {
    if (!theirs) throw new BotzError(ErrorCode.NO_ROUTE, `"${to}" announced no mesh key: only a node with a credential of our issuer can be reached over a credential mesh`);
    const peer = this.verified(to, theirs);
    const ts = this.ctx.clock.now();
    const n = ++this.counter;
    const plain = encodeFrames(frames);
    const box = sealBox(peer.toThem, n, sealedAad(this.ctx.name, to, ts), plain);
    // Text keeps the packet around it JSON (encoded natively, several times faster than MessagePack in JS) when that costs
    // little; bytes when the frames are MessagePack anyway or large (base64 would grow them by a third).
    const asText = plain[0] === CODECS.json.id && box.length <= MAX_TEXT_BOX_BYTES;
    const identity = this.knowsUs.has(`${to}\n${theirs.key}`) ? {} : { identity: this.identity };
    return this.ctx.stamp({ type: 'sealed', to, key: this.identity.key, ...identity, n, ts, box: asText ? box.toString('base64url') : box }) as SealedFrame;
  }

  /** `msa.sig` for an announcement of ours: the credential key's signature over it and this run's mesh key. */
  signAnnouncement(msa: Announcement): string {
    return ed25519Sign(this.credential.privateKey, msaSigned(msa.origin, msa.incarnation, msa.seq, this.ownKey, msa.neighbours)).toString('base64url');
  }

  /**
   * Why an announcement is refused, or undefined: it must carry its origin's mesh key, proved for
   * that name (as for sealing), and the origin's signature over exactly what it says, so that no
   * other node can speak for it (drop its links, or announce it gone).
   */
  announcementProblem(msa: MsaFrame): BotzError | undefined {
    if (!msa.identity || typeof msa.sig !== 'string') return refused(`an announcement of "${msa.origin}" without its signed mesh key`);
    try {
      const peer = this.verified(msa.origin, msa.identity);
      const signed = msaSigned(msa.origin, msa.incarnation, msa.seq, peer.raw, msa.neighbours);
      if (!ed25519Verify(ed25519Public(Buffer.from(peer.grant.key, 'base64url')), signed, Buffer.from(msa.sig, 'base64url'))) {
        return refused(`an announcement of "${msa.origin}" that its credential did not sign`);
      }
      return undefined;
    } catch (error) {
      return error as BotzError;
    }
  }

  /** Opens a sealed frame for this node. Throws CREDENTIAL_REJECTED, BAD_MAC, REPLAY, STALE_TIMESTAMP, FORBIDDEN or MALFORMED_FRAME. */
  open(frame: SealedFrame): Opened {
    if (frame.to !== this.ctx.name) throw new BotzError(ErrorCode.MALFORMED_FRAME, `a sealed frame for "${frame.to}" reached "${this.ctx.name}"`);
    const peer = this.senderKey(frame);
    const box = typeof frame.box === 'string' ? Buffer.from(frame.box, 'base64url') : frame.box;
    const plain = openBox(peer.fromThem, frame.n, sealedAad(frame.from, frame.to, frame.ts), box);
    if (!plain) throw new BotzError(ErrorCode.BAD_MAC, `a sealed frame from "${frame.from}" does not open under our mesh key (sealed for an earlier run of ours, or altered)`);
    // After the tag: a replayed box is refused, an altered one never reaches the guard.
    this.guard.check(frame.key, frame.n, frame.ts);
    const frames = decodeFrames(plain);
    const stray = frames.find((f) => f.from !== frame.from);
    if (stray) throw new BotzError(ErrorCode.FORBIDDEN, `"${frame.from}" sealed a frame claiming to be from "${stray.from}"`);
    // It sealed this for our key, so it verified our identity: what we seal for it may leave ours out.
    if (this.knowsUs.size >= MAX_KNOWN_KEYS) this.knowsUs.clear();
    this.knowsUs.add(`${frame.from}\n${frame.key}`);
    return { grant: peer.grant, frames };
  }

  /**
   * The verified key a sealed frame was sealed with: from its `identity` when it has one (its key
   * must be `key`), else one verified before for that name and key, else the one that name last
   * announced. Throws CREDENTIAL_REJECTED when none is known.
   */
  private senderKey(frame: SealedFrame): KnownKey {
    if (frame.identity) {
      if (frame.identity.key !== frame.key) throw refused(`a sealed frame from "${frame.from}" names two mesh keys`);
      return this.verified(frame.from, frame.identity);
    }
    const known = this.known.get(`${frame.from}\n${frame.key}`);
    if (known) return this.verified(frame.from, known.identity);
    const announced = this.announced(frame.from);
    if (announced?.key === frame.key) return this.verified(frame.from, announced);
    throw refused(`a sealed frame from "${frame.from}" under a mesh key we do not know (not announced to us, nor sent with it)`);
  }

  /** A mesh key proved for `name`: a grant of our issuer for exactly that name, valid now, whose key signed the mesh key. */
  private verified(name: string, identity: MeshIdentity): KnownKey {
    // Keyed by the short parts: hashing the grant token for every frame would cost more than comparing it.
    const cacheKey = `${name}\n${identity.key}`;
    let peer = this.known.get(cacheKey);
    if (!peer || peer.identity.proof !== identity.proof || peer.identity.grant !== identity.grant) {
      const grant = verifyGrant(identity.grant, this.credential.issuer);
      if (grant.name !== name) throw refused(`the mesh key announced for "${name}" comes with a grant for "${grant.name}"`);
      const raw = Buffer.from(identity.key, 'base64url');
      if (!ed25519Verify(ed25519Public(Buffer.from(grant.key, 'base64url')), meshKeySigned(name, raw), Buffer.from(identity.proof, 'base64url'))) {
        throw refused(`the mesh key announced for "${name}" is not signed by its credential`);
      }
      const shared = x25519Shared(this.keys.privateKey, raw);
      peer = { identity: { ...identity }, grant, raw, toThem: sealedKey(shared, this.ownKey, raw), fromThem: sealedKey(shared, raw, this.ownKey) };
      if (this.known.size >= MAX_KNOWN_KEYS) this.known.clear();
      this.known.set(cacheKey, peer);
    }
    // Checked every time: a revocation (told by our server) or an expiry applies at once.
    const problem = grantProblem(peer.grant, this.revocations, this.ctx.clock.now());
    if (problem) throw refused(`credential refused: ${problem}`);
    return peer;
  }
}

/** The plaintext of a box: the codec byte, then the frames as a packet's payload (MessagePack when any holds bytes, else JSON). */
export function encodeFrames(frames: readonly CarriedFrame[]): Buffer {
  const codec = frames.some((f) => hasBinary(f)) ? CODECS.msgpack : CODECS.json;
  const encoded = frames.map((f) => codec.encodeFrame(f));
  const size = codec.payloadBytes(encoded, encoded.reduce((sum, e) => sum + e.bytes, 0));
  const out = Buffer.allocUnsafe(1 + size);
  out[0] = codec.id;
  const end = codec.writePayload(out, 1, encoded);
  return end === out.length ? out : out.subarray(0, end);
}

/** The frames of a plaintext; each validated as a carried frame (no mesh frame, no sealed frame inside a sealed one). */
export function decodeFrames(plain: Buffer): CarriedFrame[] {
  const codec = CODEC_BY_ID[plain[0]];
  if (!codec) throw new BotzError(ErrorCode.MALFORMED_FRAME, `a sealed box names an unknown codec ${plain[0]}`);
  const frames = codec.decode(plain.subarray(1));
  if (!validateCarried(frames) || (frames as CarriedFrame[]).some((f) => f.type === 'sealed')) {
    throw new BotzError(ErrorCode.MALFORMED_FRAME, 'a sealed box holds no valid carried frames');
  }
  return frames as CarriedFrame[];
}
