/**
 * The link-state database: the latest mesh state announcement (MSA) of every origin, and the
 * graph they describe. Pure: time comes in as arguments, nothing is sent from here.
 *
 * Rules that meshage lacked:
 * - only a newer (incarnation, seq) replaces an origin's state, so a flood that loops back or
 *   an old announcement still in flight cannot undo a newer one, and a restarted node (new
 *   incarnation, seq from 1) is still believed;
 * - state not refreshed within `maxAgeMs` is aged out, so a vanished node disappears;
 * - an edge counts only when BOTH ends report it, so a dead node's last announcement cannot
 *   keep attracting traffic once its neighbours have announced that the link went down.
 */

import type { MsaFrame } from '../wire/mesh-frames.js';

/** The content of one announcement (the `msa` frame without its envelope). */
export type Announcement = Pick<MsaFrame, 'origin' | 'incarnation' | 'seq' | 'neighbours' | 'identity' | 'sig'>;

/** Undirected graph as an adjacency list: every edge appears in both ends' lists, sorted. */
export type Graph = Map<string, string[]>;

interface Entry {
  msa: Announcement;
  /** Local time when this announcement was accepted; ages are measured from it. */
  receivedAt: number;
}

/** Is `a` newer than `b`? Incarnation first (a restart wins), then seq. */
export function isNewer(a: { incarnation: number; seq: number }, b: { incarnation: number; seq: number }): boolean {
  return a.incarnation !== b.incarnation ? a.incarnation > b.incarnation : a.seq > b.seq;
}

export class Topology {
  private readonly entries = new Map<string, Entry>();
  private cached: Graph | undefined;

  /**
   * @param self this node's name: its own entry is never aged out (it is refreshed locally).
   * @param maxAgeMs how long an origin's state stays without a newer announcement.
   */
  constructor(
    readonly self: string,
    readonly maxAgeMs: number,
  ) {}

  /**
   * Stores `msa` if it is newer than what we hold for its origin. Returns true when it was
   * accepted: the caller floods it on; false means old or duplicate, and the flood stops here.
   */
  accept(msa: Announcement, now: number): boolean {
    const held = this.entries.get(msa.origin);
    if (held && !isNewer(msa, held.msa)) return false;
    const neighbours = [...new Set(msa.neighbours)].filter((n) => n !== msa.origin).sort();
    this.entries.set(msa.origin, { msa: { ...msa, neighbours }, receivedAt: now });
    this.cached = undefined;
    return true;
  }

  /** Drops state older than maxAgeMs (never our own). Returns the origins dropped. */
  prune(now: number): string[] {
    const dropped: string[] = [];
    for (const [origin, entry] of this.entries) {
      if (origin !== this.self && now - entry.receivedAt > this.maxAgeMs) {
        this.entries.delete(origin);
        dropped.push(origin);
      }
    }
    if (dropped.length > 0) this.cached = undefined;
    return dropped.sort();
  }

  /** The announcement held for `origin`. */
  get(origin: string): Announcement | undefined {
    return this.entries.get(origin)?.msa;
  }

  /** Every announcement held, origins sorted: what a new neighbour is sent to catch up. */
  all(): Announcement[] {
    return [...this.entries.keys()].sort().map((o) => this.entries.get(o)!.msa);
  }

  /** Names of every origin we hold state for (including unreachable ones), sorted. */
  nodes(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** The graph of edges both ends report. Every known origin is a vertex, even if isolated. */
  graph(): Graph {
    if (this.cached) return this.cached;
    const graph: Graph = new Map();
    for (const origin of this.nodes()) graph.set(origin, []);
    for (const origin of this.nodes()) {
      for (const n of this.entries.get(origin)!.msa.neighbours) {
        const back = this.entries.get(n);
        // Each edge is added from its smaller end, once to both lists.
        if (origin < n && back && back.msa.neighbours.includes(origin)) {
          graph.get(origin)!.push(n);
          graph.get(n)!.push(origin);
        }
      }
    }
    for (const list of graph.values()) list.sort();
    this.cached = graph;
    return graph;
  }
}
