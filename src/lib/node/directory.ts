/**
 * A component's view of where names live: filled by lookups, kept current by the membership
 * events the server pushes (a leave deletes, any other event refreshes), and the source of
 * round-robin picks within a group.
 */
import type { ComponentInfo, MemberEvent } from '../wire/frames.js';

export class Directory {
  private readonly known = new Map<string, ComponentInfo>();
  private readonly nextInGroup = new Map<string, number>();

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

  apply(event: MemberEvent, info: ComponentInfo): void {
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
