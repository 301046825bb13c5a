/**
 * The raw WebSocket baselines: the same traffic over plain `ws` with no protocol at all (no
 * MAC, no registry, no frames). They are the ceiling botz spends from, so they are set up as
 * fast as ws allows: perMessageDeflate off on both ends, bufferutil installed, Nagle off.
 *
 * Two flavours, chosen with `coalesce`:
 * - plain: one `send()` per message, so one write system call per message on each side;
 * - coalescing: the socket is corked on the first write of an event-loop turn and uncorked at
 *   the end of it, so every message of a turn leaves in one write (what botz's transport does).
 * And with `json`, each message carries a JSON frame of botz's shape that each side parses
 * and each answer re-encodes, with nothing else (no header, MAC or registry): the floor that
 * JSON, botz's default codec, sets under the protocol.
 *
 * This file imports `ws` directly on purpose: a baseline must not go through botz's transport.
 */
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo, Socket } from 'node:net';

/** Bytes in front of every raw request: the id that matches the echo to its request. */
const ID_BYTES = 4;

export interface RawEchoServer {
  address: string;
  /** Connections open now. */
  connections(): number;
  close(): Promise<void>;
}

/** Corks `socket` until the end of this turn (no-op if already corked this turn). */
function corker(socket: Socket): () => void {
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    process.nextTick(uncork);
  };
}

function socketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}

/** An echo server: every binary message goes back unchanged on the connection it came from. */
/** The echo's answer to a JSON request frame: a response frame of botz's shape. */
function jsonAnswer(data: Buffer): Buffer {
  const request = JSON.parse(data.toString('utf8', ID_BYTES)) as { id: string; from: string; body: unknown };
  const text = JSON.stringify({ v: 1, id: `echo.${request.id}`, from: 'echo', type: 'response', re: request.id, body: request.body });
  const answer = Buffer.allocUnsafe(ID_BYTES + Buffer.byteLength(text));
  data.copy(answer, 0, 0, ID_BYTES);
  answer.write(text, ID_BYTES, 'utf8');
  return answer;
}

export function startRawEcho(options: { coalesce: boolean; json?: boolean; host?: string }): Promise<RawEchoServer> {
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: 0, perMessageDeflate: false });
    server.once('error', reject);
    server.on('connection', (ws, req) => {
      (req.socket as Socket).setNoDelay(true);
      const cork = options.coalesce ? corker(req.socket as Socket) : undefined;
      ws.on('message', (data: Buffer) => {
        cork?.();
        ws.send(options.json ? jsonAnswer(data) : data, { binary: true });
      });
      ws.on('error', () => {});
    });
    server.once('listening', () => {
      const addr = server.address() as AddressInfo;
      resolve({
        address: `${addr.address}:${addr.port}`,
        connections: () => server.clients.size,
        close: () =>
          new Promise<void>((done) => {
            for (const ws of server.clients) ws.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A client that sends requests to a raw echo server and matches each echo to its request. */
export class RawClient {
  private readonly pending = new Map<number, (data: Buffer) => void>();
  private nextId = 0;
  private readonly cork: (() => void) | undefined;

  private constructor(
    private readonly ws: WebSocket,
    coalesce: boolean,
  ) {
    const socket = socketOf(ws);
    socket.setNoDelay(true);
    this.cork = coalesce ? corker(socket) : undefined;
    ws.on('message', (data: Buffer) => {
      const id = data.readUInt32BE(0);
      const settle = this.pending.get(id);
      if (!settle) return;
      this.pending.delete(id);
      settle(data);
    });
    ws.on('close', () => {
      const error = Object.assign(new Error('raw ws connection closed'), { code: 'CLOSED' });
      for (const settle of this.pending.values()) settle(Buffer.alloc(0));
      this.pending.clear();
      this.closedError = error;
    });
    ws.on('error', () => {});
  }

  private closedError: Error | undefined;

  static connect(address: string, options: { coalesce: boolean; timeoutMs?: number }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${address}/`, { perMessageDeflate: false, handshakeTimeout: options.timeoutMs ?? 5000 });
      ws.binaryType = 'nodebuffer';
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        resolve(new RawClient(ws, options.coalesce));
      });
    });
  }

  /**
   * Sends `frame` as a JSON request frame of botz's shape (for a `json` echo) and resolves
   * with the parsed response frame.
   */
  async requestJson(frame: { from: string; body: unknown }): Promise<{ re: string; body: unknown }> {
    const id = String(this.nextId + 1);
    const text = JSON.stringify({ v: 1, id, from: frame.from, type: 'request', body: frame.body, ttl: 10_000 });
    const answer = await this.request(Buffer.from(text));
    return JSON.parse(answer.toString('utf8', ID_BYTES)) as { re: string; body: unknown };
  }

  /** Sends `body` (prefixed with a request id) and resolves with the echo. */
  request(body: Buffer): Promise<Buffer> {
    if (this.closedError || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(this.closedError ?? Object.assign(new Error('raw ws connection closed'), { code: 'CLOSED' }));
    }
    const id = (this.nextId = (this.nextId + 1) >>> 0);
    const message = Buffer.allocUnsafe(ID_BYTES + body.length);
    message.writeUInt32BE(id, 0);
    body.copy(message, ID_BYTES);
    return new Promise((resolve, reject) => {
      this.pending.set(id, (data) => (data.length === 0 ? reject(this.closedError) : resolve(data)));
      this.cork?.();
      this.ws.send(message, { binary: true });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Opens `count` bare ws connections to `address`, `concurrency` handshakes at a time, and
 * holds them open doing nothing: the baseline for what an idle registered component costs.
 */
export async function openRawConnections(address: string, count: number, concurrency: number): Promise<RawClient[]> {
  const opened: RawClient[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      opened.push(await RawClient.connect(address, { coalesce: false, timeoutMs: 60_000 }));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  } catch (error) {
    for (const c of opened) c.close();
    throw error;
  }
  return opened;
}
