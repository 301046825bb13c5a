/**
 * The browser's transport: links over the page's own WebSocket, in place of transport/ws.ts
 * (the browser build swaps this file in; see scripts/browser-plugin.mjs). A page cannot accept
 * connections, so `listen` fails: a browser component is reached through the server's relay.
 */
import { Unreachable } from '../errors.js';
import { CloseCode, type ConnectOptions, type Link, type LinkHandlers, type Listener, type Transport } from '../transport/transport.js';
import { LinkInbox } from '../transport/inbox.js';
import { BrowserBuffer } from './buffer.js';

/** What this file needs of the DOM's WebSocket (this file is type-checked without the DOM library). */
interface DomWebSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  onclose: ((e: { code: number; reason: string }) => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}
type DomWebSocketClass = new (url: string) => DomWebSocket;
const OPEN = 1;

/** `host:port` → a WebSocket URL; `ws://` or `wss://` URLs are taken as they are. */
export function webSocketUrl(address: string): string {
  if (/^wss?:\/\//.test(address)) return address;
  const secure = (globalThis as { location?: { protocol?: string } }).location?.protocol === 'https:';
  return `${secure ? 'wss' : 'ws'}://${address}/`;
}

class BrowserLink implements Link {
  private readonly inbox = new LinkInbox();
  closed = false;

  constructor(
    private readonly ws: DomWebSocket,
    readonly remoteAddress: string,
  ) {
    ws.onmessage = (e) => {
      if (this.closed) return;
      if (!(e.data instanceof ArrayBuffer)) return this.close(CloseCode.PROTOCOL_ERROR, 'text messages are not part of the botz protocol');
      this.inbox.message(BrowserBuffer.from(e.data) as unknown as Buffer);
    };
    ws.onclose = (e) => this.finish(e.code, e.reason);
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(data: Uint8Array): void {
    if (this.closed || this.ws.readyState !== OPEN) return;
    this.ws.send(data);
  }

  authenticated(): void {}

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    // A page may close with 1000 or 3000-4999 only; botz's own codes (4xxx) fit, WebSocket's others do not.
    const allowed = code === CloseCode.NORMAL || (code >= 3000 && code <= 4999);
    try {
      this.ws.close(allowed ? code : CloseCode.NORMAL, reason.slice(0, 120));
    } catch {
      // Already closing.
    }
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close(code, reason);
  }
}

export const wsTransport: Transport = {
  listen(): Promise<Listener> {
    return Promise.reject(new Error('a web page cannot accept connections: a browser component is reached through the server relay (give no port)'));
  },

  connect(address: string, options: ConnectOptions): Promise<Link> {
    const WebSocketClass = (globalThis as { WebSocket?: DomWebSocketClass }).WebSocket;
    if (!WebSocketClass) return Promise.reject(new Unreachable('this environment has no WebSocket', { details: { address } }));
    return new Promise((resolve, reject) => {
      const ws = new WebSocketClass(webSocketUrl(address));
      ws.binaryType = 'arraybuffer';
      let settled = false;
      const fail = (why: string, timedOut = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          ws.close();
        } catch {
          // Not open yet: the browser drops it.
        }
        reject(new Unreachable(`cannot connect to ${address}: ${why}`, { details: { address, ...(timedOut ? { timedOut } : {}) } }));
      };
      const timer = setTimeout(() => fail(`no answer within ${options.timeoutMs} ms`, true), options.timeoutMs);
      // A browser says nothing about why a WebSocket failed (on purpose): only that it did.
      ws.onerror = () => fail('the WebSocket failed (the browser gives no reason)');
      ws.onclose = () => fail('closed before it opened');
      ws.onopen = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.onerror = null;
        resolve(new BrowserLink(ws, address));
      };
    });
  },
};
