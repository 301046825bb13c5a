/**
 * What `tail on|off [NAME...]` adds up to: nothing, all traffic, or traffic of some components.
 * Pure; the session turns the resulting filter into one `client.tail` subscription.
 *
 *   tail on            all traffic            tail off          stop
 *   tail on a b        only a and b (narrows all traffic, or adds to the names)
 *   tail off a         drop a; the last name dropped stops the tail
 */
import { BotzError, ErrorCode } from '../lib/errors.js';

type State = { kind: 'off' } | { kind: 'all'; bodies: boolean } | { kind: 'names'; names: Set<string>; bodies: boolean };

/** The subscription to hold: every component (`names` absent) or these. */
export interface TailFilter {
  names?: string[];
  bodies: boolean;
}

export class TailState {
  private state: State = { kind: 'off' };

  /** Start or widen tailing; true when the subscription must change. */
  on(names: readonly string[], bodies: boolean): boolean {
    const before = this.key();
    const keepBodies = bodies || (this.state.kind !== 'off' && this.state.bodies);
    if (names.length === 0) this.state = { kind: 'all', bodies: keepBodies };
    else {
      const current = this.state.kind === 'names' ? this.state.names : new Set<string>();
      this.state = { kind: 'names', names: new Set([...current, ...names]), bodies: keepBodies };
    }
    return this.key() !== before;
  }

  /** Stop tailing (no names) or drop some names; true when the subscription must change. */
  off(names: readonly string[]): boolean {
    const before = this.key();
    if (names.length === 0 || this.state.kind === 'off') this.state = { kind: 'off' };
    else if (this.state.kind === 'all') {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'tailing all traffic: `tail off` stops it, `tail on NAME...` narrows it to some components');
    } else {
      const left = new Set([...this.state.names].filter((n) => !names.includes(n)));
      this.state = left.size ? { kind: 'names', names: left, bodies: this.state.bodies } : { kind: 'off' };
    }
    return this.key() !== before;
  }

  /** The subscription to hold, or undefined for none. */
  filter(): TailFilter | undefined {
    if (this.state.kind === 'off') return undefined;
    if (this.state.kind === 'all') return { bodies: this.state.bodies };
    return { names: [...this.state.names].sort(), bodies: this.state.bodies };
  }

  /** One line for people: what is being tailed. */
  describe(): string {
    if (this.state.kind === 'off') return 'tail: off';
    const what = this.state.kind === 'all' ? 'all traffic' : [...this.state.names].sort().join(', ');
    return `tail: on, ${what}${this.state.bodies ? ' (with bodies)' : ''}`;
  }

  private key(): string {
    return JSON.stringify(this.filter() ?? null);
  }
}
