/** What is left of a call's time. */
import type { Clock } from './clock.js';

/** Milliseconds left until `deadline`, at least 1 (a timer of 0 would not mean "no time left"). */
export function remaining(clock: Clock, deadline: number): number {
  return Math.max(1, deadline - clock.now());
}
