/**
 * The frames of the mesh (issue 7), in the style of wire/frames.ts, which merges them into
 * the `Frame` union and `FRAME_FIELDS`:
 *
 * - `msa`: a mesh state announcement, flooded hop by hop to every node. It says who the
 *   origin's neighbours are. (incarnation, seq) orders announcements of one origin: the
 *   incarnation is the origin's start time, so a restarted node is newer even though its
 *   seq starts again at 1. Both are whole numbers 0..MAX_MSA_NUMBER, `origin` and each of at
 *   most MAX_MSA_NEIGHBOURS `neighbours` at most 255 bytes: anything else is MALFORMED_FRAME,
 *   rejected before it is stored or flooded.
 * - `meshSend`: a routed message for a set of recipients; each hop splits it by next hop.
 * - `meshAck`: the per-hop answer to a `meshSend`, sent once every copy the receiver passed on
 *   has been answered (or timed out): it names each recipient of the copy as reached or not.
 *
 *   A ──meshSend{to: C,D}──▶ B ──meshSend{to: C}──▶ C
 *                            B ──meshSend{to: D}──▶ D
 *   A ◀─meshAck{reached C, unreachable D:TIMEOUT}── B ◀── ack from C; D's timer fired
 *
 * - `meshControl` / `meshControlResult`: how a client (the CLI, role 'client') inspects and steers
 *   a node over a link to its mesh listener. A client link is never a mesh link: it carries no
 *   announcements and is not routed through. Failures answer with an `error` frame.
 * - `meshTraffic`: pushed to a client that subscribed, one per message the node originates,
 *   forwards or delivers, and one per link that comes up or goes down.
 *
 *   CLI ──meshControl{op:'send', args:{target, body}}──▶ n1 ──meshSend…──▶ n4 (handler runs)
 *   CLI ◀─meshControlResult{result:{body, hops, replyHops}}── n1 ◀──meshSend(response)── n4
 */
import type { Body } from '../wire/frames.js';
import { fitsDestination } from '../wire/names.js';

interface MeshBase {
  v: number;
  id: string;
  from: string;
}

export interface MsaFrame extends MeshBase {
  type: 'msa';
  /** The node this announcement describes (`from` is only the neighbour that passed it on). */
  origin: string;
  /** The origin's start time in ms: it grows across restarts, so seq may start again. */
  incarnation: number;
  /** Grows by one with each announcement of one incarnation. */
  seq: number;
  /** Names of the nodes the origin has a link with. */
  neighbours: string[];
}

export interface MeshSendFrame extends MeshBase {
  type: 'meshSend';
  /** The node that sent the message in the first place. */
  origin: string;
  /** Who this copy is for; every one of them is answered in the ack. */
  recipients: string[];
  /** Nodes this copy has passed through, the origin first and the sender of this copy last. */
  path: string[];
  /** The most hops the message may take from its origin. */
  hopLimit: number;
  /** Milliseconds the sender of this copy waits for the ack. */
  ttl: number;
  /** True for a mesh-wide broadcast (recipients are then every node the origin knew). */
  broadcast: boolean;
  body: Body;
}

/** A recipient that was not reached, and the error code that says why. */
export interface MeshMiss {
  name: string;
  code: string;
}

export interface MeshAckFrame extends MeshBase {
  type: 'meshAck';
  re: string;
  reached: string[];
  unreachable: MeshMiss[];
}

/** What a client may ask of a mesh node. */
export type MeshControlOp = 'routes' | 'dot' | 'status' | 'dial' | 'hangup' | 'send' | 'subscribe' | 'unsubscribe';
export const MESH_CONTROL_OPS: readonly MeshControlOp[] = ['routes', 'dot', 'status', 'dial', 'hangup', 'send', 'subscribe', 'unsubscribe'];

export interface MeshControlFrame extends MeshBase {
  type: 'meshControl';
  op: MeshControlOp;
  /** The op's arguments (see mesh-control.ts): an address, a name, or {target, body, timeoutMs}. */
  args: Body;
}

export interface MeshControlResultFrame extends MeshBase {
  type: 'meshControlResult';
  re: string;
  result: Body;
}

export interface MeshTrafficFrame extends MeshBase {
  type: 'meshTraffic';
  /** A MeshTrafficEvent (see mesh-status.ts). */
  event: Record<string, Body>;
}

export type MeshFrame = MsaFrame | MeshSendFrame | MeshAckFrame | MeshControlFrame | MeshControlResultFrame | MeshTrafficFrame;

type FieldCheck = (value: unknown) => boolean;
const str: FieldCheck = (x) => typeof x === 'string';
const bool: FieldCheck = (x) => typeof x === 'boolean';
const num: FieldCheck = (x) => typeof x === 'number' && Number.isFinite(x);
const count: FieldCheck = (x) => Number.isSafeInteger(x) && (x as number) >= 0;
const any: FieldCheck = () => true;
const strArr: FieldCheck = (x) => Array.isArray(x) && x.every((s) => typeof s === 'string');
/**
 * The most neighbours one announcement may name. Dialing is not limited (only discovery is, by
 * `degree`), but a node with hundreds of links is far outside what the mesh is for; the cap
 * keeps every valid msa small enough that a neighbour can pass it on: even 512 names of
 * MAX_DESTINATION_BYTES that JSON escapes at 6 bytes per byte (about 785 KB) fit one packet of
 * the default 1 MiB with the forwarder's own `from` and `id`. A node with more links announces
 * the first MAX_MSA_NEIGHBOURS of them, sorted (see announcer.ts).
 */
export const MAX_MSA_NEIGHBOURS = 512;
/**
 * The largest incarnation or seq an msa may carry (2^52). Honest values are far below it (an
 * incarnation is a start time in ms, about 2^41 today; seq grows by one per announcement), and
 * it leaves 2^52 steps to count up before numbers stop being exact in a double.
 */
export const MAX_MSA_NUMBER = 2 ** 52;
/** A node name: 1 to MAX_DESTINATION_BYTES bytes of UTF-8, like a packet destination. */
const nodeName: FieldCheck = (x) => typeof x === 'string' && x.length > 0 && fitsDestination(x);
/** A neighbour name of at most MAX_DESTINATION_BYTES bytes of UTF-8. */
const neighbourName: FieldCheck = (x) => typeof x === 'string' && fitsDestination(x);
const msaNumber: FieldCheck = (x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= MAX_MSA_NUMBER;
const neighbourList: FieldCheck = (x) => Array.isArray(x) && x.length <= MAX_MSA_NEIGHBOURS && x.every(neighbourName);
const misses: FieldCheck = (x) =>
  Array.isArray(x) &&
  x.every((m) => typeof m === 'object' && m !== null && str((m as MeshMiss).name) && str((m as MeshMiss).code));

/** The required fields of each mesh frame beyond the common ones (merged into FRAME_FIELDS). */
export const MESH_FRAME_FIELDS: Record<MeshFrame['type'], Record<string, FieldCheck>> = {
  msa: { origin: nodeName, incarnation: msaNumber, seq: msaNumber, neighbours: neighbourList },
  meshSend: {
    origin: str,
    recipients: strArr,
    path: strArr,
    hopLimit: count,
    ttl: num,
    broadcast: bool,
    body: any,
  },
  meshAck: { re: str, reached: strArr, unreachable: misses },
  meshControl: { op: (x) => typeof x === 'string' && (MESH_CONTROL_OPS as readonly string[]).includes(x), args: (x) => x !== undefined },
  meshControlResult: { re: str, result: (x) => x !== undefined },
  meshTraffic: { event: (x) => typeof x === 'object' && x !== null && !Array.isArray(x) },
};
