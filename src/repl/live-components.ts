/**
 * The component names and groups the REPL completes, kept current by membership events: seeded
 * from one `components()` listing, then a join adds and a leave removes. Pure (no client): the
 * session feeds it, so it is tested with plain events.
 */
import type { ComponentInfo } from '../lib/wire/frames.js';
import type { CompletionSources } from './completer.js';

/** The membership event kinds that can change the listing. */
export type MemberChange = { type: string; component: ComponentInfo };

export class LiveComponents implements CompletionSources {
  private readonly byName = new Map<string, ComponentInfo>();

  /** @param self the REPL's own name, never offered (sending to ourselves is pointless). */
  constructor(private readonly self?: string) {}

  /** Replace everything with a fresh listing. */
  reset(list: readonly ComponentInfo[]): void {
    this.byName.clear();
    for (const c of list) this.apply({ type: 'join', component: c });
  }

  /** Apply one membership event. */
  apply(e: MemberChange): void {
    if (e.component.name === this.self) return;
    if (e.type === 'leave') this.byName.delete(e.component.name);
    else this.byName.set(e.component.name, e.component);
  }

  get components(): string[] {
    return [...this.byName.keys()].sort();
  }

  get groups(): string[] {
    return [...new Set([...this.byName.values()].flatMap((c) => c.groups))].sort();
  }
}
