/**
 * The WebSocket transport: the only file that imports `ws`.
 * - perMessageDeflate is off on both ends (it costs ~15x throughput on small messages);
 * - writes made in one event-loop turn are corked into one system call;
 * - binary messages only; a text message is a protocol error;
 * - a listener guards itself (gatekeeper.ts) from the TCP accept on, before any upgrade: a
 *   connection that never finishes its upgrade is as unauthenticated as one that sends no hello.
 * - with TLS (`wsTransportWith`), `wss://`: the listener serves its certificate, the dialer
 *   checks the listener's against its CA (or the system's) and its name, and never connects
 *   without that check: asking for TLS is never silently insecure.
 */
import { createRequire } from 'node:module';
import type * as WsModule from 'ws';
import { createServer, STATUS_CODES } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { AddressInUse, BotzError, ErrorCode, Unreachable } from '../errors.js';
import {
  CloseCode,
  joinAddress,
  type ConnectOptions,
  type Link,
  type LinkHandlers,
  type ListenOptions,
  type Listener,
  type Refusal,
  type Transport,
} from './transport.js';
import { LinkInbox } from './inbox.js';
import { timerDelay } from '../timer-limit.js';
import { resolveConnectionLimits } from './connection-limits.js';
import { sourceOf } from './admission.js';
import { dropCloseCode, Gatekeeper, type Guarded } from './gatekeeper.js';
import { looksLikeBotzillaFrame } from '../botzilla/frame.js';

// `ws` is CommonJS. Loaded with require, not import: through the ESM loader (which lexes every
// CommonJS file for its exports) it took about 47 ms to load here, against 20 ms this way,
// and `botz send` pays it on every call.
const { WebSocket, WebSocketServer } = createRequire(import.meta.url)('ws') as typeof WsModule;
type WebSocket = WsModule.WebSocket;

class WsLink implements Link {
  private readonly inbox = new LinkInbox();
  private corked = false;
  private isAuthenticated = false;
  closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    /** What the listener does once an accepted link is authenticated (nothing on dialed links). */
    private readonly onAuthenticated?: () => void,
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

  authenticated(): void {
    if (this.closed || this.isAuthenticated) return;
    this.isAuthenticated = true;
    this.onAuthenticated?.();
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

  /** Closes at once, freeing the socket now (a close frame goes out if it can): for links we shed. */
  abort(code: number, reason: string): void {
    if (this.closed) return;
    try {
      this.ws.close(code, reason);
    } catch {
      // Not open yet or already closing: terminate() below ends it either way.
    }
    this.ws.terminate();
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.close(code, reason);
  }
}

/** One TCP connection a listener accepted, from accept to close; `link` once it upgraded. */
class Accepted implements Guarded {
  link: WsLink | undefined;

  constructor(
    readonly socket: Socket,
    readonly remote: string,
  ) {}

  drop(why: Refusal['code']): void {
    if (this.link) {
      const { code, reason } = dropCloseCode(why);
      this.link.abort(code, reason);
      return;
    }
    if (why === ErrorCode.TOO_MANY_CONNECTIONS) refuseBusy(this.socket);
    this.socket.destroy();
  }
}

/** Best effort, before the socket is destroyed: a client then says why it could not connect. */
function refuseBusy(socket: Socket): void {
  const body = 'too many connections';
  socket.write(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}

/**
 * A client that does not speak HTTP at all gets no answer: Node's own, "HTTP/1.1 400 Bad
 * Request", is what a Botzilla v1 client reads as a reply of 1,347,703,880 bytes, and allocates.
 * Its first bytes say what it was.
 */
function strayClient(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): Refusal['code'] | undefined {
  if (err.code !== 'HPE_INVALID_METHOD') return undefined;
  return err.rawPacket && looksLikeBotzillaFrame(err.rawPacket) ? ErrorCode.BOTZILLA_FRAME : ErrorCode.NOT_WEBSOCKET;
}

function httpStatusFor(code: string | undefined): string {
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  return `${status} ${STATUS_CODES[status]}`;
}

/**
 * ws fixes a connection's message limit at the upgrade and has no public way to change it; its
 * receiver checks each frame's length against `_maxPayload` (ws 8) as the frame header arrives,
 * so raising it between messages applies from the next message on. Kept to this one place.
 */
function raiseMessageLimit(ws: WebSocket, maxBytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') {
    throw new Error('cannot raise the message limit of an authenticated link: ws no longer has _receiver._maxPayload');
  }
  receiver._maxPayload = maxBytes;
}

/** TLS for a node's links (issue 18): what its listeners serve, and what its dials trust. */
export interface TlsOptions {
  /** PEM certificate chain and private key a listener serves (both, or neither: a node that only dials). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** PEM certificates a dialer trusts (default: the system's CAs). */
  ca?: string | Buffer | (string | Buffer)[];
}

/** The WebSocket transport in clear (`ws://`): the default. */
export const wsTransport: Transport = wsTransportWith();

/** The WebSocket transport, over TLS (`wss://`) when `tls` is given. */
export function wsTransportWith(tls?: TlsOptions): Transport {
  return {
    listen: (options, onLink) => listen(options, onLink, tls),
    connect: (address, options) => connect(address, options, tls),
  };
}

function listen(options: ListenOptions, onLink: (link: Link) => void, tls: TlsOptions | undefined): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const limits = resolveConnectionLimits(options.limits);
    const gate = new Gatekeeper(limits, options.onRefused, options.clock);
    // By the peer's address and port: with TLS, the socket ws sees wraps the one accepted.
    const accepted = new Map<string, Accepted>();
    // Our own HTTP server, not ws's (`port` option): closing must also cut the connections
    // that never finished their upgrade. Node stops the headers timeout on close, so one
    // client that sent half a GET would hold `server.close()` (and `botz serve`) open forever.
    const plainHttp = (_req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      // What ws's own server answers a plain HTTP request.
      const body = STATUS_CODES[426]!;
      res.writeHead(426, { 'Content-Length': body.length, 'Content-Type': 'text/plain' });
      res.end(body);
    };
    if (tls && (!tls.cert || !tls.key)) return reject(new BotzError(ErrorCode.INVALID_ARGUMENT, 'a TLS listener needs both a certificate and its key'));
    const http = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, plainHttp) : createServer(plainHttp);
    // Every TCP connection is admitted (or not) here, before a byte of it is parsed.
    http.on('connection', (socket: Socket) => {
      if (socket.remoteAddress === undefined) return void socket.destroy(); // already gone
      const conn = new Accepted(socket, joinAddress(socket.remoteAddress, socket.remotePort ?? 0));
      if (!gate.admit(conn, sourceOf(socket.remoteAddress))) return conn.drop(ErrorCode.TOO_MANY_CONNECTIONS);
      accepted.set(conn.remote, conn);
      socket.once('close', () => (gate.closed(conn), accepted.delete(conn.remote)));
    });
    http.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
      const conn = socket.remoteAddress === undefined ? undefined : accepted.get(joinAddress(socket.remoteAddress, socket.remotePort ?? 0));
      const refusal = strayClient(err);
      if (refusal) {
        socket.destroy();
        if (conn) options.onRefused?.({ code: refusal, remote: conn.remote });
        return;
      }
      // Otherwise what Node answers when nobody listens for clientError.
      if (socket.writable && socket.bytesWritten === 0 && err.code !== 'ECONNRESET') socket.end(`HTTP/1.1 ${httpStatusFor(err.code)}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
    const server = new WebSocketServer({
      server: http,
      perMessageDeflate: false,
      // Until authenticated: raised per link by raiseMessageLimit.
      maxPayload: Math.min(limits.maxUnauthenticatedMessageBytes, options.maxMessageBytes),
      clientTracking: true,
    });
    // ws re-emits the HTTP server's errors on itself; they are handled on `http` below.
    server.on('error', () => {});
    const refused = (error: NodeJS.ErrnoException): void =>
      reject(error.code === 'EADDRINUSE' ? new AddressInUse(joinAddress(options.host, options.port), { cause: error }) : error);
    http.once('error', refused);
    server.on('connection', (ws, req) => {
      const socket = req.socket as Socket;
      const conn = accepted.get(joinAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0));
      if (!conn) return void ws.terminate(); // evicted while ws completed the upgrade
      socket.setNoDelay(true);
      conn.link = new WsLink(ws, conn.remote, () => {
        raiseMessageLimit(ws, options.maxMessageBytes);
        gate.authenticated(conn);
      });
      onLink(conn.link);
    });
    http.once('listening', () => {
      http.off('error', refused);
      http.on('error', () => {});
      const addr = http.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        address: joinAddress(addr.address, addr.port),
        get connections() {
          return gate.counts;
        },
        close: () =>
          (closing ??= new Promise<void>((done) => {
            // No more upgrades (ws lets go of the HTTP server), then every link and every
            // half-open HTTP connection goes: nothing left for close() to wait on.
            gate.close();
            server.close();
            for (const ws of server.clients) ws.terminate();
            http.close(() => done());
            http.closeAllConnections();
          })),
      });
    });
    http.listen(options.port, options.host);
  });
}

function connect(address: string, options: ConnectOptions, tls: TlsOptions | undefined): Promise<Link> {
  return new Promise((resolve, reject) => {
    // Both timers hold at most 2^31-1 ms: a longer timeout (`--timeout 1000h`) must not fire at once.
    const waitMs = timerDelay(options.timeoutMs);
    // No ws handshakeTimeout: the timer below bounds TCP connect and upgrade together, and
    // is the only one that may say the connection timed out.
    const ws = new WebSocket(`${tls ? 'wss' : 'ws'}://${address}/`, {
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes,
      // The listener's certificate is always checked (name and chain): never rejectUnauthorized: false.
      ...(tls ? { ca: tls.ca, rejectUnauthorized: true } : {}),
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
      fail(res.statusCode === 503 ? 'it has too many connections (HTTP 503)' : `HTTP ${res.statusCode} instead of a WebSocket upgrade`);
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
}
