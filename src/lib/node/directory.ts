/**
 * A component's view of where names live: filled by lookups, kept current by the membership
 * events the server pushes (a leave deletes, any other event refreshes), and the source of
 * round-robin picks within a group.
 */
import type { ComponentInfo, MemberEvent } from '../wire/frames.js';

/** The most membership events a sync keeps to replay: a server flooding events cannot make us hold more. */
export const MAX_EVENTS_DURING_SYNC = 100_000;

export class Directory {
  private readonly known = new Map<string, ComponentInfo>();
  private readonly nextInGroup = new Map<string, number>();
  /** Events applied since `beginSync` (none while no sync runs), or 'overflow' past the cap. */
  private sinceSync: [MemberEvent, ComponentInfo][] | 'overflow' | undefined;

  get(name: string): ComponentInfo | undefined {
    return this.known.get(name);
  }

  /** Every entry (of one group); complete only once the owner has synced the directory. */
  all(group?: string): ComponentInfo[] {
    const all = [...this.known.values()];
    return group === undefined ? all : all.filter((c) => c.groups.includes(group));
  }

  set(info: ComponentInfo): void {
    this.known.set(info.name, info);
  }

  forget(name: string): void {
    this.known.delete(name);
  }

  clear(): void {
    this.known.clear();
  }

  replaceAll(list: ComponentInfo[]): void {
    this.known.clear();
    for (const info of list) this.known.set(info.name, info);
  }

  /**
   * Starts a sync from a paged listing: the membership events applied until `finishSync` are
   * kept, to be replayed over the listing (a page may predate an event that arrived before it).
   */
  beginSync(): void {
    this.sinceSync = [];
  }

  /**
   * The whole registry is `list`: it replaces every entry, then the events kept since
   * `beginSync` apply again, in order. False when more events came than it keeps (the copy may
   * then be stale: sync again later).
   */
  finishSync(list: ComponentInfo[]): boolean {
    const events = this.sinceSync;
    this.sinceSync = undefined;
    this.replaceAll(list);
    if (events === 'overflow') return false;
    for (const [event, info] of events ?? []) this.applyNow(event, info);
    return true;
  }

  apply(event: MemberEvent, info: ComponentInfo): void {
    if (Array.isArray(this.sinceSync)) {
      if (this.sinceSync.length < MAX_EVENTS_DURING_SYNC) this.sinceSync.push([event, info]);
      else this.sinceSync = 'overflow';
    }
    this.applyNow(event, info);
  }

  private applyNow(event: MemberEvent, info: ComponentInfo): void {
    if (event === 'leave') this.known.delete(info.name);
    else this.known.set(info.name, info);
  }

  /** Next ready member of `group` in name order, round robin; prefers members other than `self`. */
  pick(group: string, members: ComponentInfo[], self?: string): ComponentInfo | undefined {
    const ready = members.filter((c) => c.state === 'ready' && c.groups.includes(group)).sort((a, b) => (a.name < b.name ? -1 : 1));
    const others = ready.filter((c) => c.name !== self);
    const choices = others.length > 0 ? others : ready;
    if (choices.length === 0) return undefined;
    const i = this.nextInGroup.get(group) ?? 0;
    this.nextInGroup.set(group, i + 1);
    return choices[i % choices.length];
  }
}
