/**
 * One line per event, for `botz serve`, `botz register` and `botz tail` (and their NDJSON twins).
 * Pure: time comes in on the event.
 */
import type { Message } from '../lib/node/message.js';
import type { TailEvent } from '../lib/node/subscriptions.js';
import type { ComponentInfo, LinkChange, TrafficEvent } from '../lib/wire/frames.js';
import { formatDuration } from './duration.js';
import { headersInline } from './headers.js';
import { jsonOfBody } from './body-json.js';
import { componentAddress } from './output.js';

/** `12:03:04.567`, local time: a line's timestamp. */
export function formatClock(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** `1.2kB`: message sizes in tail lines. */
export function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes}B` : `${(bytes / 1024).toFixed(1)}kB`;
}

/** A membership event: `12:03:04.567  join     echo  127.0.0.1:4100  groups=svc`. */
export function memberLine(type: string, component: ComponentInfo, at: number): string {
  const groups = component.groups.length ? `  groups=${component.groups.join(',')}` : '';
  return `${formatClock(at)}  ${type.padEnd(8)} ${component.name}  ${componentAddress(component)}${groups}`;
}

/**
 * A rejected connection or packet, as the server saw it; with `count`, the summary of a flood
 * from one source (see rejection-digest.ts): `rejected TOO_MANY_CONNECTIONS from 127.0.0.1: 352 times in the last second`.
 */
export function rejectedLine(code: string, remote: string, at: number, peer?: string, count?: number): string {
  const hint = REJECTION_HINTS[code] ? ` — ${REJECTION_HINTS[code]}` : '';
  if (count !== undefined) return `${formatClock(at)}  rejected ${code} from ${remote}: ${count === 1 ? 'once' : `${count} times`} in the last second${hint}`;
  return `${formatClock(at)}  rejected ${code} from ${remote}${peer ? ` (claims to be ${peer})` : ''}${hint}`;
}

/** What to do about a rejection whose code alone does not say it. */
const REJECTION_HINTS: Record<string, string> = {
  BOTZILLA_FRAME: 'a Botzilla v1 client dialed a botz port: point it at `botz serve --botzilla-port` (default 6985)',
  NOT_WEBSOCKET: 'the client did not speak HTTP; botz ports take WebSocket links only',
};

/**
 * A traffic event: `12:03:04.567  cli-1 → echo  request  42B  1.2ms  direct`; one a mesh node
 * saw also says what it did (`deliver at n4`), the path so far, and where an originated one is bound.
 */
export function trafficLine(e: TrafficEvent, bodies = false): string {
  const parts = [formatClock(e.at), `${e.from} → ${e.to}`, e.kind, formatSize(e.size)];
  if (e.latencyMs !== undefined) parts.push(formatDuration(e.latencyMs));
  if (e.action) parts.push(`${e.action} at ${e.node}`);
  parts.push(e.path + (e.hops?.length ? ` via ${e.hops.join('>')}` : ''));
  if (e.route) parts.push(`(route ${e.route.join('>')})`);
  if (e.headers) parts.push(headersInline(e.headers));
  if (bodies && e.body !== undefined) parts.push(JSON.stringify(jsonOfBody(e.body)));
  return parts.join('  ');
}

/** A mesh link change: `12:03:04.567  link up    n1 — n2  127.0.0.1:7412`. */
export function linkLine(e: LinkChange): string {
  return `${formatClock(e.at)}  link ${e.change.padEnd(4)}  ${e.node} — ${e.peer}  ${e.address ?? e.code ?? ''}`;
}

/** Events the server did not send a tail that read too slowly: `12:03:04.567  … 12 events dropped (tail too slow)`. */
export function droppedLine(dropped: number, at: number): string {
  return `${formatClock(at)}  … ${dropped} event${dropped === 1 ? '' : 's'} dropped (tail too slow)`;
}

/** Any line of `botz tail` (and the REPL's tail). */
export function tailLine(e: TailEvent, bodies = false): string {
  switch (e.kind) {
    case 'traffic':
      return trafficLine(e.event, bodies);
    case 'member':
      return memberLine(e.type, e.component, e.at);
    case 'dropped':
      return droppedLine(e.dropped, e.at);
    case 'link':
      return linkLine(e.event);
  }
}

/**
 * A message a registered component received: `12:03:04.567  cli-1 → echo  request  {"a":"1"}`,
 * then its headers (`trace-id: abc`) and the mesh path it took, when it has them.
 */
export function receivedLine(msg: Pick<Message, 'from' | 'kind' | 'body' | 'headers' | 'hops'>, to: string, at: number): string {
  const parts = [formatClock(at), `${msg.from} → ${to}`, msg.kind, JSON.stringify(jsonOfBody(msg.body))];
  if (Object.keys(msg.headers).length > 0) parts.push(headersInline(msg.headers));
  if (msg.hops) parts.push(`mesh via ${msg.hops.join('>')}`);
  return parts.join('  ');
}
