/**
 * The WebSocket transport: the only file that imports `ws`.
 * - perMessageDeflate is off on both ends (it costs ~15x throughput on small messages);
 * - writes made in one event-loop turn are corked into one system call;
 * - binary messages only; a text message is a protocol error.
 */
import { createRequire } from 'node:module';
import type * as WsModule from 'ws';
import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressInUse, Unreachable } from '../errors.js';
import {
  CloseCode,
  joinAddress,
  type ConnectOptions,
  type Link,
  type LinkHandlers,
  type ListenOptions,
  type Listener,
  type Transport,
} from './transport.js';
import { LinkInbox } from './inbox.js';
import { timerDelay } from '../timer-limit.js';

// `ws` is CommonJS. Loaded with require, not import: through the ESM loader (which lexes every
// CommonJS file for its exports) it took about 47 ms to load here, against 20 ms this way,
// and `botz send` pays it on every call.
const { WebSocket, WebSocketServer } = createRequire(import.meta.url)('ws') as typeof WsModule;
type WebSocket = WsModule.WebSocket;

class WsLink implements Link {
  private readonly inbox = new LinkInbox();
  private corked = false;
  closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
  ) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.closed) return;
      if (!isBinary) {
        this.close(CloseCode.PROTOCOL_ERROR, 'text messages are not part of the botz protocol');
        return;
      }
      this.inbox.message(data);
    });
    ws.on('close', (code: number, reason: Buffer) => this.finish(code, reason.toString()));
    // 'error' always precedes 'close', and the close event carries what callers need, except
    // for an oversized message: ws then reports 1006 locally though it sent 1009 to the peer.
    ws.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.finish(CloseCode.TOO_BIG, 'message too big');
    });
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(handlers: LinkHandlers): void {
    this.inbox.attach(handlers);
  }

  send(data: Uint8Array): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    const socket = (this.ws as unknown as { _socket?: import('node:net').Socket })._socket;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.ws.send(data, { binary: true });
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.closed) return;
    // Give a close frame the chance to go out, but never wait on a dead peer.
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    timer.unref();
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close(code, reason);
  }
}

export const wsTransport: Transport = {
  listen(options: ListenOptions, onLink: (link: Link) => void): Promise<Listener> {
    return new Promise((resolve, reject) => {
      // Our own HTTP server, not ws's (`port` option): closing must also cut the connections
      // that never finished their upgrade. Node stops the headers timeout on close, so one
      // client that sent half a GET would hold `server.close()` (and `botz serve`) open forever.
      const http = createServer((_req, res) => {
        // What ws's own server answers a plain HTTP request.
        const body = STATUS_CODES[426]!;
        res.writeHead(426, { 'Content-Length': body.length, 'Content-Type': 'text/plain' });
        res.end(body);
      });
      const server = new WebSocketServer({
        server: http,
        perMessageDeflate: false,
        maxPayload: options.maxMessageBytes,
        clientTracking: true,
      });
      // ws re-emits the HTTP server's errors on itself; they are handled on `http` below.
      server.on('error', () => {});
      const refused = (error: NodeJS.ErrnoException): void =>
        reject(error.code === 'EADDRINUSE' ? new AddressInUse(joinAddress(options.host, options.port), { cause: error }) : error);
      http.once('error', refused);
      server.on('connection', (ws, req) => {
        const s = req.socket;
        (s as import('node:net').Socket).setNoDelay(true);
        onLink(new WsLink(ws, joinAddress(s.remoteAddress ?? '?', s.remotePort ?? 0)));
      });
      http.once('listening', () => {
        http.off('error', refused);
        http.on('error', () => {});
        const addr = http.address() as AddressInfo;
        let closing: Promise<void> | undefined;
        resolve({
          address: joinAddress(addr.address, addr.port),
          close: () =>
            (closing ??= new Promise<void>((done) => {
              // No more upgrades (ws lets go of the HTTP server), then every link and every
              // half-open HTTP connection goes: nothing left for close() to wait on.
              server.close();
              for (const ws of server.clients) ws.terminate();
              http.close(() => done());
              http.closeAllConnections();
            })),
        });
      });
      http.listen(options.port, options.host);
    });
  },

  connect(address: string, options: ConnectOptions): Promise<Link> {
    return new Promise((resolve, reject) => {
      // Both timers hold at most 2^31-1 ms: a longer timeout (`--timeout 1000h`) must not fire at once.
      const waitMs = timerDelay(options.timeoutMs);
      // No ws handshakeTimeout: the timer below bounds TCP connect and upgrade together, and
      // is the only one that may say the connection timed out.
      const ws = new WebSocket(`ws://${address}/`, {
        perMessageDeflate: false,
        maxPayload: options.maxMessageBytes,
      });
      let settled = false;
      const fail = (why: string, cause?: unknown, timedOut = false) => {
        if (settled) return;
        settled = true;
        ws.terminate();
        reject(new Unreachable(`cannot connect to ${address}: ${why}`, { cause, details: { address, ...(timedOut ? { timedOut } : {}) } }));
      };
      const timer = setTimeout(() => fail(`no answer within ${options.timeoutMs} ms`, undefined, true), waitMs);
      ws.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(err.code ?? err.message, err);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        fail(`HTTP ${res.statusCode} instead of a WebSocket upgrade`);
      });
      ws.once('open', () => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
        socket.setNoDelay(true);
        resolve(new WsLink(ws, address));
      });
    });
  },
};
