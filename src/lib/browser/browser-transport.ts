/**
 * The browser's transport: links over the page's own WebSocket, in place of transport/ws.ts
 * (the browser build swaps this file in; see scripts/browser-plugin.mjs). A page cannot accept
 * connections, so `listen` fails: a browser component is reached through the server's relay.
 *
 * The link is where encryption waits for WebCrypto (webcrypto-gcm.ts): each packet is
 * encrypted before it is sent and decrypted before it is handed on, and both directions keep
 * their order (a packet waits for the ones before it). With nothing to wait for, a packet goes
 * straight through.
 */
import { Unreachable } from '../errors.js';
import { CloseCode, type ConnectOptions, type Link, type LinkHandlers, type Listener, type Transport } from '../transport/transport.js';
import { LinkInbox } from '../transport/inbox.js';
import type { Keyring } from '../wire/keyring.js';
import { BrowserBuffer } from './buffer.js';
import { finishSeal, prepareOpen } from './webcrypto-gcm.js';

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

/** Runs steps in order, each after the one before settled; counts those not yet run. */
class InOrder {
  private tail: Promise<void> = Promise.resolve();
  waiting = 0;

  then(ready: Promise<void> | undefined, step: () => void): void {
    this.waiting++;
    const before = this.tail;
    this.tail = (async () => {
      await before;
      await ready?.catch(() => {});
      this.waiting--;
      step();
    })();
  }
}

class BrowserLink implements Link {
  private readonly inbox = new LinkInbox();
  private readonly incoming = new InOrder();
  private readonly outgoing = new InOrder();
  closed = false;

  constructor(
    private readonly ws: DomWebSocket,
    readonly remoteAddress: string,
    /**
     * The keyring to decrypt with: the node's, or a credential link's derived keys once its
     * handshake made them (decryptWith). None: an encrypted packet reaches the opener unopened, which refuses it.
     */
    private keyring: Keyring | undefined,
  ) {
    ws.onmessage = (e) => {
      if (this.closed) return;
      if (!(e.data instanceof ArrayBuffer)) return this.close(CloseCode.PROTOCOL_ERROR, 'text messages are not part of the botz protocol');
      const packet = BrowserBuffer.from(e.data) as unknown as Buffer;
      const opening = this.keyring && prepareOpen(packet, this.keyring);
      if (opening === undefined && this.incoming.waiting === 0) return this.inbox.message(packet);
      this.incoming.then(opening, () => {
        if (!this.closed) this.inbox.message(packet);
      });
    };
    ws.onclose = (e) => {
      if (this.incoming.waiting === 0) return this.finish(e.code, e.reason);
      this.incoming.then(undefined, () => this.finish(e.code, e.reason));
    };
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(data: Uint8Array): void {
    if (this.closed || this.ws.readyState !== OPEN) return;
    const sealing = finishSeal(data);
    if (sealing === undefined && this.outgoing.waiting === 0) return this.ws.send(data);
    // A failed seal leaves zeros and a zero tag in the packet: the peer refuses it (BAD_MAC), nothing leaks.
    this.outgoing.then(sealing, () => {
      if (this.ws.readyState === OPEN) this.ws.send(data);
    });
  }

  authenticated(): void {}

  decryptWith(keyring: Keyring): void {
    this.keyring = keyring;
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    // A page may close with 1000 or 3000-4999 only; botz's own codes (4xxx) fit, WebSocket's others do not.
    const allowed = code === CloseCode.NORMAL || (code >= 3000 && code <= 4999);
    const closeSocket = () => {
      try {
        this.ws.close(allowed ? code : CloseCode.NORMAL, reason.slice(0, 120));
      } catch {
        // Already closing.
      }
    };
    // What was sent before the close still goes (an answer, a goodbye), once it is encrypted.
    if (this.outgoing.waiting === 0) closeSocket();
    else this.outgoing.then(undefined, closeSocket);
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close(code, reason);
  }
}

/** The page's transport; with the node's `keyring`, its links decrypt what arrives encrypted. */
export function browserTransport(keyring?: Keyring): Transport {
  return {
    listen: wsTransport.listen,
    connect: (address, options) => connect(address, options, keyring),
  };
}

/** The transport for code that names transport/ws.ts's: links that cannot decrypt (a page's Component and Client use browserTransport). */
export const wsTransport: Transport = {
  listen(): Promise<Listener> {
    return Promise.reject(new Error('a web page cannot accept connections: a browser component is reached through the server relay (give no port)'));
  },

  connect(address: string, options: ConnectOptions): Promise<Link> {
    return connect(address, options, undefined);
  },
};

function connect(address: string, options: ConnectOptions, keyring: Keyring | undefined): Promise<Link> {
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
      resolve(new BrowserLink(ws, address, keyring));
    };
  });
}
