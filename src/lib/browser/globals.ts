/**
 * The Node globals the library names, for the browser build (esbuild injects these where the
 * code refers to them): Buffer, process.nextTick / pid / env, setImmediate.
 */
import { BrowserBuffer } from './buffer.js';

export { BrowserBuffer as Buffer };

/** A macrotask, as Node's setImmediate is: a MessageChannel post runs after pending I/O, without setTimeout's clamping. */
const channel = new MessageChannel();
const queue: (() => void)[] = [];
// (Typed as the DOM port: Node's MessagePort type, which this file is checked against, has no onmessage.)
(channel.port1 as unknown as { onmessage: () => void }).onmessage = () => queue.shift()?.();
export function setImmediate(fn: (...args: unknown[]) => void, ...args: unknown[]): { id: number } {
  queue.push(() => fn(...args));
  channel.port2.postMessage(0);
  return { id: 0 };
}

export const process = {
  pid: 0,
  env: {} as Record<string, string | undefined>,
  nextTick: (fn: (...args: unknown[]) => void, ...args: unknown[]): void => queueMicrotask(() => fn(...args)),
};
