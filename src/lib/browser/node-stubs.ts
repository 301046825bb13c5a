/**
 * What the browser build has in place of the Node modules only a server, a listener or a mesh
 * uses (`node:os`, `node:fs`, `node:net`, `node:dgram`, `node:http`): a page is
 * relay-only, so none of it is reached; anything that is fails saying why.
 */
function notInBrowser(what: string): never {
  throw new Error(`${what} is not available in the browser build (a page is relay-only: no listener, no mesh)`);
}

export const userInfo = (): { username: string } => ({ username: 'browser' });
export const readFileSync = (): never => notInBrowser('reading files');
export const isIPv4 = (s: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
export const isIPv6 = (s: string): boolean => s.includes(':');
export const createSocket = (): never => notInBrowser('UDP discovery');
export const createServer = (): never => notInBrowser('an HTTP server');
export const STATUS_CODES: Record<number, string> = {};

/** Streams between components need Node's Duplex: not in the browser build (yet). */
export class Duplex {
  constructor() {
    notInBrowser('a stream between components');
  }
}
