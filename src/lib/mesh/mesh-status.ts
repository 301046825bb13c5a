/**
 * The shapes a mesh node reports: its events (a discriminated union, so printing, `--json`
 * and exhaustive switches come free) and its status (`botz mesh status`).
 */
import type { Body, Headers } from '../wire/values.js';
import type { MsaCounters } from './announcer.js';
import type { Forwarder, MeshTrace } from './forwarder.js';

/** A one-way message carried to a mesh node that stands alone (no node takes its deliveries). */
export interface MeshMessage {
  /** The node that sent it. */
  from: string;
  body: Body;
  headers: Headers;
  /** Every node it passed through, the origin first and this node last. */
  hops: string[];
  broadcast: boolean;
  encrypted: boolean;
}

/** What a mesh node reports to its listeners. */
export type MeshEvent =
  | ({ type: 'message' } & MeshMessage)
  | { type: 'linkUp'; peer: string; address: string }
  | { type: 'linkDown'; peer: string; code: string }
  | ({ type: 'traffic'; at: number } & MeshTrace)
  /** The link-state database changed, so routes may have (what a waiter for convergence needs). */
  | { type: 'topology' };

export interface MeshLinkInfo {
  peer: string;
  address: string;
  /** True when this node dialed the link. */
  dialed: boolean;
  since: number;
}

/** Counts since start; `unreachable` counts recipients this node reported unreachable. */
export type MeshCounters = MsaCounters &
  Forwarder['counters'] & {
    rejectedPackets: number;
    /** Connections the listener closed or turned away: at its caps, or not authenticated in time. */
    refusedConnections: number;
  };

export interface MeshStatus {
  name: string;
  address: string | undefined;
  namespace: string;
  degree: number;
  msaIntervalMs: number;
  hopLimit: number;
  links: MeshLinkInfo[];
  /** Nodes with state in the database (reachable or not) and how many have a route. */
  known: number;
  reachable: number;
  counters: MeshCounters;
}
