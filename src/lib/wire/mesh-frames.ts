/**
 * Frames of the mesh (src/lib/mesh): their types and bounds. Their field checks are in the one
 * table of validate.ts, with every other frame's.
 *
 * - `msa`: a mesh state announcement, flooded over mesh links.
 * - `meshSend` / `meshAck`: ordinary botz frames carried hop by hop along shortest paths. The
 *   mesh is one of a node's three paths (direct, relay, mesh): what travels inside a meshSend
 *   is exactly what would travel in a packet on the other two (a request, its response, a
 *   reliable `data`...), stamped once by its origin. Each hop answers its sender with a meshAck
 *   once it delivered its share or passed it on, naming who was reached and who not (and why).
 * - `meshQuery` / `meshInfo`, `meshDial` / `meshDialed`, `meshHangup`: what a client on a link
 *   to a mesh node (the CLI) asks of it: its routes, graph or status, to link to an address, to
 *   drop a link. Traffic the node sees is followed with `subscribe {topics: ['traffic']}` and
 *   pushed as `trace` events, as a server does.
 *
 *   CLI ──request{to: n4}──▶ n1 ──meshSend{frames:[request]}──▶ … ──▶ n4 (handler runs)
 *   CLI ◀──response───────── n1 ◀──meshSend{frames:[response]}── … ◀── n4
 */
import type { FrameBase, FramesOf, Headers } from './values.js';

/** The fields of each mesh frame type beyond the envelope, by type. */
export interface MeshFrameFields {
  msa: {
    /** The node this announcement describes (`from` is only the neighbour that passed it on). */
    origin: string;
    /** The origin's start time in ms: it grows across restarts, so seq may start again. */
    incarnation: number;
    /** Grows by one with each announcement of one incarnation. */
    seq: number;
    /** Names of the nodes the origin has a link with. */
    neighbours: string[];
    /** A credential node's signed mesh key: what senders seal frames for it with (§12 Mesh, Credentials). */
    identity?: MeshIdentity;
    /** A credential node's signature over this announcement (identity/sealed.ts `msaSigned`), base64url. */
    sig?: string;
  };
  meshSend: {
    /** The node that sent the frames in the first place. */
    origin: string;
    /** Who this copy is for; every one of them is answered in the ack. */
    recipients: string[];
    /** Nodes this copy has passed through, the origin first and the sender of this copy last. */
    path: string[];
    /** The most hops the frames may take from their origin. */
    hopLimit: number;
    /** Milliseconds the sender of this copy waits for the ack. */
    ttl: number;
    /** True for a mesh-wide broadcast (recipients are then every node the origin knew). */
    broadcast: boolean;
    /** The carried frames, stamped by the origin, validated like any frame at each receiver. */
    frames: CarriedFrame[];
  };
  /**
   * Frames sealed end to end by a credential node for one recipient (identity/sealed.ts): only
   * carried inside a meshSend, and the only frames a credential mesh node takes from the mesh.
   */
  sealed: {
    /** The recipient: the one node that can open it. */
    to: string;
    /** The sender's mesh key (base64url): with `from`, which key the recipient opens it with. */
    key: string;
    /**
     * The sender's grant token, mesh key and the key's signature, until the recipient has shown
     * it knows them (it sealed something for this key); then left out (sealing.ts).
     */
    identity?: MeshIdentity;
    /** The sender's counter: the GCM nonce and, with `ts`, what the replay guard checks. */
    n: number;
    /** The sender's clock when it sealed them (ms since the epoch). */
    ts: number;
    /** AES-256-GCM of the frames (their codec byte, then a payload as in a packet), tag last: bytes, or their base64url text. */
    box: Uint8Array | string;
  };
  meshAck: {
    re: string;
    reached: string[];
    unreachable: MeshMiss[];
  };
  meshQuery: { what: MeshQueryKind };
  /** The answer to a meshQuery: exactly the field it asked for. */
  meshInfo: {
    re: string;
    routes?: { destination: string; nextHop: string; hops: number; path: string[] }[];
    dot?: string;
    /** A MeshStatus (src/lib/mesh/mesh-status.ts), checked as an object. */
    status?: Record<string, unknown>;
  };
  meshDial: {
    /** `host:port` of the mesh node to link to. */
    address: string;
  };
  meshDialed: {
    re: string;
    /** The name of the node reached there. */
    peer: string;
  };
  /** Drop the link to a peer, named or by its address; answered by `ack`, or `error` NO_ROUTE. */
  meshHangup: { peer: string };
}

/** A frame carried inside a meshSend: any frame a node sends to another, but the mesh's own and the handshake's. */
export interface CarriedFrame extends FrameBase {
  type: string;
  headers?: Headers;
  [field: string]: unknown;
}

/** A credential node's mesh key, with the grant that says whose it is and the grant key's signature over it. */
export interface MeshIdentity {
  /** The grant token (as in a hello). */
  grant: string;
  /** The run's X25519 public key, 32 bytes base64url. */
  key: string;
  /** Ed25519 by the grant's key over meshKeySigned(name, key), base64url. */
  proof: string;
}

/** A recipient that was not reached, and the error code that says why. */
export interface MeshMiss {
  name: string;
  code: string;
}

/** What a mesh node can be asked to show. */
export type MeshQueryKind = 'routes' | 'dot' | 'status';
export const MESH_QUERY_KINDS: readonly MeshQueryKind[] = ['routes', 'dot', 'status'];

type MeshFrame = FramesOf<MeshFrameFields>;
export type MsaFrame = Extract<MeshFrame, { type: 'msa' }>;
export type MeshSendFrame = Extract<MeshFrame, { type: 'meshSend' }>;
export type SealedFrame = Extract<MeshFrame, { type: 'sealed' }>;

/**
 * The most neighbours one announcement may name. Dialing is not limited (only discovery is, by
 * `degree`), but a node with hundreds of links is far outside what the mesh is for; the cap
 * keeps every valid msa small enough that a neighbour can pass it on: even 512 names of
 * MAX_DESTINATION_BYTES that JSON escapes at 6 bytes per byte (about 785 KB) fit one packet of
 * 1 MiB (a sixteenth of the default limit) with the forwarder's own `from` and `id`. A node with more links announces
 * the first MAX_MSA_NEIGHBOURS of them, sorted (see announcer.ts).
 */
export const MAX_MSA_NEIGHBOURS = 512;
/**
 * The largest incarnation or seq an msa may carry (2^52). Honest values are far below it (an
 * incarnation is a start time in ms, about 2^41 today; seq grows by one per announcement), and
 * it leaves 2^52 steps to count up before numbers stop being exact in a double.
 */
export const MAX_MSA_NUMBER = 2 ** 52;
/** The most frames one meshSend carries (a sender batches what it queued in one turn). */
export const MAX_CARRIED_FRAMES = 1024;

/**
 * A request that crossed the mesh with this header (any value) is answered with it set to the
 * path the request took (`a>b>c`, its origin first), so the caller learns the hops it really
 * went, not only the route it planned. A mesh node also sets REPLY_HOPS_HEADER on a response it
 * carries back to a client: the response's own path.
 */
export const HOPS_HEADER = 'botz-hops';
export const REPLY_HOPS_HEADER = 'botz-reply-hops';
