/** The clock of a page: the browser's timers, which have no ref/unref (a page does not exit). */
import type { Clock, TimerHandle } from '../clock.js';
import { timerDelay } from '../timer-limit.js';

export const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, timerDelay(ms));
    const handle: TimerHandle = {
      clear: () => clearTimeout(timer),
      unref: () => handle,
      ref: () => handle,
    };
    return handle;
  },
};
