/**
 * The registry's state, with no sockets and no timers: names, their addresses, groups, states
 * and liveness. Every mutation takes `now` and returns the membership events it caused, so the
 * server decides how to publish them and tests drive time by hand.
 *
 * Lifecycle of an entry:
 *   register → 'registered' ──ready──▶ 'ready'
 *   no heartbeat for suspectAfterMs, or link lost ──▶ 'suspect' (event suspect)
 *   heartbeat while suspect ──▶ back to its previous state (event alive)
 *   no heartbeat for removeAfterMs, or link lost for closedGraceMs, or bye ──▶ removed (event leave)
 */
import { randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import type { ComponentInfo, MemberEvent } from '../wire/frames.js';

export interface MembershipEvent {
  type: MemberEvent;
  component: ComponentInfo;
  at: number;
}

export interface LivenessOptions {
  /** Silence after which a component is marked suspect. */
  suspectAfterMs: number;
  /** Silence after which it is removed. */
  removeAfterMs: number;
  /** How long a component whose link dropped keeps its entry, waiting for it to reconnect. */
  closedGraceMs: number;
}

interface Entry {
  info: ComponentInfo;
  session: string;
  /** State to return to when a suspect shows signs of life. */
  liveState: 'registered' | 'ready';
  /** Set while the component's link to the server is down. */
  disconnectedAt?: number;
}

const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Names are 1–64 characters of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`. */
export function validateName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new BotzError(
      ErrorCode.INVALID_NAME,
      `"${name.slice(0, 80)}" is not a valid component name (1-64 of A-Z a-z 0-9 _ . -, not starting with . or -)`,
      { details: { name } },
    );
  }
}

export function newSessionToken(): string {
  return randomBytes(18).toString('base64url');
}

export class Registry {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly liveness: LivenessOptions) {}

  get size(): number {
    return this.entries.size;
  }

  get(name: string): ComponentInfo | undefined {
    return this.entries.get(name)?.info;
  }

  sessionOf(name: string): string | undefined {
    return this.entries.get(name)?.session;
  }

  list(group?: string): ComponentInfo[] {
    const all = [...this.entries.values()].map((e) => e.info);
    return group === undefined ? all : all.filter((c) => c.groups.includes(group));
  }

  /** Adds or replaces the entry for `name` (the caller has settled who owns the name). */
  register(
    name: string,
    session: string,
    fields: { address: string | null; groups: string[]; meta: Record<string, string> },
    now: number,
  ): MembershipEvent[] {
    const replaced = this.entries.get(name);
    const info: ComponentInfo = {
      name,
      address: fields.address,
      groups: [...new Set(fields.groups)],
      state: 'registered',
      meta: fields.meta,
      lastHeartbeat: now,
      registeredAt: replaced?.info.registeredAt ?? now,
    };
    this.entries.set(name, { info, session, liveState: 'registered' });
    return [{ type: 'join', component: info, at: now }];
  }

  ready(name: string, now: number): MembershipEvent[] {
    const entry = this.entries.get(name);
    if (!entry) return [];
    entry.liveState = 'ready';
    entry.info.lastHeartbeat = now;
    if (entry.info.state === 'ready') return [];
    entry.info.state = 'ready';
    return [{ type: 'ready', component: entry.info, at: now }];
  }

  /** Any sign of life from the component's link. */
  heartbeat(name: string, now: number): MembershipEvent[] {
    const entry = this.entries.get(name);
    if (!entry) return [];
    entry.info.lastHeartbeat = now;
    entry.disconnectedAt = undefined;
    if (entry.info.state !== 'suspect') return [];
    entry.info.state = entry.liveState;
    return [{ type: 'alive', component: entry.info, at: now }];
  }

  disconnected(name: string, now: number): MembershipEvent[] {
    const entry = this.entries.get(name);
    if (!entry) return [];
    entry.disconnectedAt = now;
    if (entry.info.state === 'suspect') return [];
    entry.info.state = 'suspect';
    return [{ type: 'suspect', component: entry.info, at: now }];
  }

  remove(name: string, now: number): MembershipEvent[] {
    const entry = this.entries.get(name);
    if (!entry) return [];
    this.entries.delete(name);
    return [{ type: 'leave', component: entry.info, at: now }];
  }

  /** Applies the liveness rules at time `now`. */
  sweep(now: number): MembershipEvent[] {
    const events: MembershipEvent[] = [];
    const { suspectAfterMs, removeAfterMs, closedGraceMs } = this.liveness;
    for (const [name, entry] of this.entries) {
      const silent = now - entry.info.lastHeartbeat;
      const gone = entry.disconnectedAt !== undefined && now - entry.disconnectedAt >= closedGraceMs;
      if (silent >= removeAfterMs || gone) {
        events.push(...this.remove(name, now));
      } else if (silent >= suspectAfterMs && entry.info.state !== 'suspect') {
        entry.info.state = 'suspect';
        events.push({ type: 'suspect', component: entry.info, at: now });
      }
    }
    return events;
  }
}
