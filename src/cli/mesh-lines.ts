/**
 * How mesh results look: the routes table, status as key/value lines, and one line per event a
 * `botz tail --via` sees. Pure: the caller writes the strings.
 */
import type { MeshWatchEvent } from '../lib/mesh/mesh-control-client.js';
import type { MeshStatus } from '../lib/mesh/mesh-status.js';
import type { Route } from '../lib/mesh/routing.js';
import { formatDuration } from './duration.js';
import { linkLine, trafficLine } from './event-lines.js';
import { alignColumns } from './output.js';

export const ROUTE_COLUMNS = ['DESTINATION', 'NEXT HOP', 'HOPS', 'PATH'];

/** The routes table, by destination; a mesh of one says so instead of printing an empty table. */
export function renderRoutes(routes: readonly Route[]): string {
  if (routes.length === 0) return '(no routes: this node has no reachable peers)';
  const rows = [...routes]
    .sort((a, b) => (a.destination < b.destination ? -1 : 1))
    .map((r) => [r.destination, r.nextHop, String(r.hops), r.path.join(' > ')]);
  return alignColumns([ROUTE_COLUMNS, ...rows]);
}

/** `botz mesh status`: the node's settings, links and counters. */
export function renderStatus(s: MeshStatus, now: number): string {
  const rows: string[][] = [
    ['name', s.name],
    ['address', s.address ?? '-'],
    ['namespace', s.namespace],
    ['degree', String(s.degree)],
    ['announcement period', formatDuration(s.msaIntervalMs)],
    ['hop limit', String(s.hopLimit)],
    ['nodes known / reachable', `${s.known} / ${s.reachable}`],
    ['links', String(s.links.length)],
  ];
  for (const l of s.links) {
    rows.push([`  ${l.peer}`, `${l.address}  ${l.dialed ? 'dialed' : 'accepted'}  up ${formatDuration(Math.max(0, now - l.since))}`]);
  }
  for (const [k, v] of Object.entries(s.counters)) rows.push([k, String(v)]);
  return alignColumns(rows);
}

/** A mesh event: `12:03:04.567  n1 → n4  request  42B  deliver at n4  mesh via n1>n2>n3>n4`, or a link change. */
export function meshEventLine(e: MeshWatchEvent, bodies = false): string {
  return e.kind === 'link' ? linkLine(e) : trafficLine(e, bodies);
}
