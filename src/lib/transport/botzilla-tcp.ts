/**
 * Botzilla v1 over TCP: the only file that holds Botzilla sockets. One connection carries one
 * request and its reply (see botzilla/frame.ts for the bytes). Every step is bounded, where the
 * original bounded none: a connection must deliver its whole request within `readTimeoutMs` of
 * being accepted, a reply must be written within `writeTimeoutMs`, a call (connect, write and
 * read together) ends at its timeout, frames over the maximum are refused from their length,
 * and a listener holds at most `maxConnections` at once.
 */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { AddressInUse, asBotzError, BotzError, ErrorCode, RemoteError, Timeout, Unreachable } from '../errors.js';
import type { MacKey } from '../wire/mac.js';
import { encodeReply, encodeRequest, FrameReader, LENGTH_BYTES, requestMacMatches } from '../botzilla/frame.js';
import { joinAddress, splitAddress } from './transport.js';

export const DEFAULT_BOTZILLA_READ_TIMEOUT_MS = 10_000;
export const DEFAULT_BOTZILLA_WRITE_TIMEOUT_MS = 10_000;
export const DEFAULT_BOTZILLA_CONNECT_TIMEOUT_MS = 3_000;
/** Connections the listeners sharing a budget serve at once; more are closed on accept. */
export const DEFAULT_BOTZILLA_MAX_CONNECTIONS = 256;
/**
 * Bytes of requests still arriving that the listeners sharing a budget hold at once. A v1 MAC
 * follows the payload, so a request is unauthenticated until it has all arrived: each reserves
 * its declared size here before a byte of its payload is kept, and is refused when it cannot.
 */
export const DEFAULT_BOTZILLA_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** What every listener of one gateway shares: connections open, and bytes reserved for requests still arriving. */
export class BotzillaBudget {
  connections = 0;
  pendingBytes = 0;

  constructor(
    readonly maxConnections = DEFAULT_BOTZILLA_MAX_CONNECTIONS,
    readonly maxPendingBytes = DEFAULT_BOTZILLA_MAX_PENDING_BYTES,
  ) {}
}

/** A connection or request a Botzilla listener refused, and why (FRAME_TOO_LARGE, BAD_MAC, MALFORMED_FRAME, TIMEOUT, TOO_MANY_CONNECTIONS). */
export interface BotzillaRefusal {
  code: string;
  /** `host:port` of the client. */
  remote: string;
  message: string;
}

export interface BotzillaListenOptions {
  host: string;
  port: number;
  key: MacKey;
  maxFrameBytes?: number;
  readTimeoutMs?: number;
  writeTimeoutMs?: number;
  /** Shared with other listeners (one gateway's ports); default: a budget of this listener's own. */
  budget?: BotzillaBudget;
  clock?: Clock;
  onRefused?: (refusal: BotzillaRefusal) => void;
}

/** Where a request came from and on which of our addresses it arrived. */
export interface BotzillaConnection {
  /** The client's IP (IPv4-mapped IPv6 written as IPv4). */
  remoteHost: string;
  remote: string;
  /** The IP of ours the client reached (where it can reach us again). */
  localHost: string;
}

/** Answers an authenticated request: the reply body, or undefined to close without one (as the original does on every error). */
export type BotzillaHandler = (payload: Buffer, from: BotzillaConnection) => Promise<Buffer | undefined> | Buffer | undefined;

export interface BotzillaListener {
  readonly address: string;
  readonly port: number;
  /** Connections open now. */
  readonly connections: number;
  close(): Promise<void>;
}

function plainIp(ip: string | undefined): string {
  const address = ip ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** Listens for Botzilla requests; each authenticated one goes to `handler`. Rejects with ADDRESS_IN_USE. */
export function listenBotzilla(options: BotzillaListenOptions, handler: BotzillaHandler): Promise<BotzillaListener> {
  const clock = options.clock ?? systemClock;
  const budget = options.budget ?? new BotzillaBudget();
  const open = new Set<Socket>();
  // Half-open allowed: a client that ends its side after the request still gets the reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const remote = joinAddress(plainIp(socket.remoteAddress), socket.remotePort ?? 0);
    if (budget.connections >= budget.maxConnections) {
      socket.destroy();
      options.onRefused?.({ code: ErrorCode.TOO_MANY_CONNECTIONS, remote, message: `more than ${budget.maxConnections} Botzilla connections at once` });
      return;
    }
    open.add(socket);
    budget.connections++;
    socket.once('close', () => {
      open.delete(socket);
      budget.connections--;
    });
    serveOne(socket, remote, options, budget, clock, handler);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new AddressInUse(joinAddress(options.host, options.port), { cause: error }) : error),
    );
    server.listen(options.port, options.host, () => {
      server.on('error', () => {});
      const { address, port } = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        address: joinAddress(address, port),
        port,
        get connections() {
          return open.size;
        },
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of open) socket.destroy();
          })),
      });
    });
  });
}

/** One connection: read the request to its length, check its MAC, answer, close. */
function serveOne(socket: Socket, remote: string, options: BotzillaListenOptions, budget: BotzillaBudget, clock: Clock, handler: BotzillaHandler): void {
  const reader = new FrameReader({ withMac: true, maxFrameBytes: options.maxFrameBytes });
  let timer: TimerHandle | undefined;
  let reserved = 0;
  const release = (): void => {
    budget.pendingBytes -= reserved;
    reserved = 0;
  };
  const refuse = (code: string, message: string): void => {
    timer?.clear();
    socket.destroy();
    options.onRefused?.({ code, remote, message });
  };
  const arm = (ms: number, what: string): void => {
    timer?.clear();
    timer = clock.setTimeout(() => refuse(ErrorCode.TIMEOUT, what), ms).unref();
  };
  arm(options.readTimeoutMs ?? DEFAULT_BOTZILLA_READ_TIMEOUT_MS, 'no whole Botzilla request in time');
  socket.on('error', () => socket.destroy());
  socket.once('close', () => {
    timer?.clear();
    release();
  });
  const onData = (chunk: Buffer): void => {
    let frame;
    try {
      let rest = chunk;
      if (reserved === 0) {
        // Only the length until it is in: the frame's size is reserved before a byte of its payload is kept.
        const head = rest.subarray(0, LENGTH_BYTES - reader.received);
        rest = rest.subarray(head.length);
        frame = reader.push(head);
        if (reader.expectedBytes === undefined) return;
        if (budget.pendingBytes + reader.expectedBytes > budget.maxPendingBytes) {
          return refuse(ErrorCode.LIMIT_REACHED, `Botzilla requests still arriving already hold ${budget.pendingBytes} bytes`);
        }
        reserved = reader.expectedBytes;
        budget.pendingBytes += reserved;
      }
      if (rest.length > 0) frame = reader.push(rest);
    } catch (error) {
      return refuse(asBotzError(error, ErrorCode.MALFORMED_FRAME).code, (error as Error).message);
    }
    if (!frame) return;
    release();
    socket.off('data', onData);
    socket.off('end', onEnd);
    timer?.clear();
    if (!requestMacMatches(options.key, frame.payload, frame.mac!)) return refuse(ErrorCode.BAD_MAC, 'a Botzilla request whose MAC does not verify');
    const from = { remoteHost: plainIp(socket.remoteAddress), remote, localHost: plainIp(socket.localAddress) };
    void Promise.resolve()
      .then(() => handler(frame.payload, from))
      .then(
        (reply) => {
          if (socket.destroyed) return;
          if (reply === undefined) return void socket.destroy();
          arm(options.writeTimeoutMs ?? DEFAULT_BOTZILLA_WRITE_TIMEOUT_MS, 'the Botzilla reply was not taken in time');
          socket.end(encodeReply(reply));
        },
        () => socket.destroy(),
      );
  };
  // A connection closed before a whole frame: a truncated request (a bare connect is a probe, not an error).
  const onEnd = (): void => {
    if (reader.received > 0) refuse(ErrorCode.MALFORMED_FRAME, `a Botzilla request cut short after ${reader.received} bytes`);
    else socket.destroy();
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
}

export interface BotzillaCallOptions {
  key: MacKey;
  /** The whole call: connect, write and read. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  maxReplyBytes?: number;
  clock?: Clock;
}

/**
 * One Botzilla request on a connection of its own: connects, writes the framed and MACed
 * payload, reads the reply to its declared length. Throws UNREACHABLE (no connection), TIMEOUT,
 * FRAME_TOO_LARGE, or REMOTE_ERROR when the peer closed without a (whole) reply, which is how
 * a v1 component refuses anything.
 */
export function botzillaCall(address: string, payload: Uint8Array, options: BotzillaCallOptions): Promise<Buffer> {
  const clock = options.clock ?? systemClock;
  const { host, port } = splitAddress(address);
  return new Promise((resolve, reject) => {
    const reader = new FrameReader({ withMac: false, maxFrameBytes: options.maxReplyBytes });
    let connected = false;
    let settled = false;
    const socket = createConnection({ host, port });
    const finish = (error: BotzError | undefined, reply?: Buffer): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      connectDeadline.clear();
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const deadline = clock.setTimeout(() => finish(new Timeout(`no Botzilla reply from ${address} within ${options.timeoutMs} ms`, { details: { address } })), options.timeoutMs);
    const connectMs = Math.min(options.connectTimeoutMs ?? DEFAULT_BOTZILLA_CONNECT_TIMEOUT_MS, options.timeoutMs);
    const connectDeadline = clock.setTimeout(() => {
      if (!connected) finish(new Unreachable(`cannot connect to the Botzilla component at ${address}: no answer within ${connectMs} ms`, { details: { address, timedOut: true } }));
    }, connectMs);
    socket.once('connect', () => {
      connected = true;
      connectDeadline.clear();
      socket.setNoDelay(true);
      socket.write(encodeRequest(options.key, payload));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        const frame = reader.push(chunk);
        if (frame) finish(undefined, frame.payload);
      } catch (error) {
        finish(asBotzError(error, ErrorCode.MALFORMED_FRAME));
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (!connected) finish(new Unreachable(`cannot connect to the Botzilla component at ${address}: ${error.code ?? error.message}`, { cause: error, details: { address } }));
      else finish(closedEarly(address, reader.received));
    });
    socket.once('close', () => finish(closedEarly(address, reader.received)));
  });
}

function closedEarly(address: string, received: number): BotzError {
  const what = received === 0 ? 'without a reply' : `after ${received} bytes of its reply`;
  return new RemoteError(`the Botzilla component at ${address} closed the connection ${what} (v1 components do so on a bad MAC or a body they cannot read)`, {
    details: { address },
  });
}

/** True when something accepts a TCP connection at `address` within `timeoutMs`; the connection is closed at once. */
export function botzillaProbe(address: string, timeoutMs: number, clock: Clock = systemClock): Promise<boolean> {
  const { host, port } = splitAddress(address);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (up: boolean): void => {
      timer.clear();
      socket.destroy();
      resolve(up);
    };
    const timer = clock.setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
