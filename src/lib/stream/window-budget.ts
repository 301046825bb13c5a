/**
 * Receive windows that grow while their reader keeps up. A stream starts with the node's
 * `windowBytes`; each time its reader has taken everything that came and wants more, the window,
 * not the reader, is what paces the stream, so the window doubles, up to `maxWindowBytes`, out
 * of one budget shared by every stream of the node. What a stream grew by returns to the budget
 * when it closes. So a bulk transfer is not held to a quarter megabyte in flight, and what peers
 * can make the node hold stays bounded: every stream's starting window plus the budget.
 */
export class WindowBudget {
  private left: number;
  private readonly grown = new Map<object, number>();

  constructor(
    private readonly maxWindowBytes: number,
    budgetBytes: number,
  ) {
    this.left = budgetBytes;
  }

  /** Bytes of the budget no stream holds now. */
  get available(): number {
    return this.left;
  }

  /** The window `owner` may advertise next, given its `current` one: doubled when the budget allows, never smaller. */
  grow(owner: object, current: number): number {
    const extra = Math.min(current, this.maxWindowBytes - current, this.left);
    if (extra <= 0) return current;
    this.left -= extra;
    this.grown.set(owner, (this.grown.get(owner) ?? 0) + extra);
    return current + extra;
  }

  /** `owner` closed: what it grew by is free for others. */
  release(owner: object): void {
    const extra = this.grown.get(owner);
    if (extra === undefined) return;
    this.grown.delete(owner);
    this.left += extra;
  }
}
