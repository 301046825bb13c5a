/**
 * A Botzilla v1 peer written from ../shared/reference/botzilla-v1.md alone (node:net and
 * node:crypto, nothing of src/lib/botzilla), as the original Go programs behave: a request is
 * written in three writes (length, payload, MAC); a component reads a request, checks its MAC,
 * answers a JSON string map, and closes without a word on anything wrong.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export const PPAP = 'ppap';

const macOf = (key: string, payload: Buffer) => createHmac('sha256', key).update(payload).digest();
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** What came back on one request connection: a whole reply, or the connection closed without one. */
export type V1Outcome = { reply: Buffer; raw: Buffer } | { closed: true; raw: Buffer };

/** Writes `parts` as separate writes, then reads until the peer closes or a whole reply came. */
export function exchange(address: string, parts: Buffer[], options: { end?: boolean } = {}): Promise<V1Outcome> {
  const [host, port] = splitHostPort(address);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let raw = Buffer.alloc(0);
    const done = (outcome: V1Outcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.on('connect', () => {
      socket.setNoDelay(true);
      for (const p of parts) socket.write(p);
      if (options.end) socket.end();
    });
    socket.on('data', (d: Buffer) => {
      raw = Buffer.concat([raw, d]);
      if (raw.length >= 4 && raw.length >= 4 + raw.readUInt32LE(0)) done({ reply: raw.subarray(4, 4 + raw.readUInt32LE(0)), raw });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? reject(e) : done({ closed: true, raw })));
    socket.on('close', () => done({ closed: true, raw }));
  });
}

/** The three writes of a request, MACed with `key`. */
export function requestParts(payload: Buffer, key = PPAP): Buffer[] {
  return [u32le(payload.length), payload, macOf(key, payload)];
}

export function request(address: string, payload: Buffer, key = PPAP): Promise<V1Outcome> {
  return exchange(address, requestParts(payload, key));
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1))];
}

/** Registry calls, as the original client makes them. */
export const registry = {
  register: (server: string, name: string, port: number, key = PPAP) =>
    request(server, Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({ name, port: String(port) }))]), key),
  lookup: (server: string, name: string, key = PPAP) => request(server, Buffer.concat([Buffer.from([2]), Buffer.from(name)]), key),
  list: (server: string, key = PPAP) => request(server, Buffer.from([69]), key),
};

/** A reply's body, or a failure saying the connection closed without one. */
export function replyOf(outcome: V1Outcome): Buffer {
  if ('closed' in outcome) throw new Error(`closed without a reply (got ${outcome.raw.length} bytes)`);
  return outcome.reply;
}

/** What the original client's SendMessage does: look the name up, dial it, send the map, read the map. */
export async function sendMessage(server: string, name: string, body: Record<string, string>, key = PPAP): Promise<Record<string, string>> {
  const address = replyOf(await registry.lookup(server, name, key)).toString();
  return JSON.parse(replyOf(await request(address, Buffer.from(JSON.stringify(body)), key)).toString()) as Record<string, string>;
}

/** The original's BroadcastMessage: a send to every listed name, errors ignored. */
export async function broadcast(server: string, body: Record<string, string>, key = PPAP): Promise<void> {
  const names = JSON.parse(replyOf(await registry.list(server, key)).toString()) as string[] | null;
  await Promise.all((names ?? []).map((n) => sendMessage(server, n, body, key).catch(() => undefined)));
}

export interface V1Component {
  address: string;
  port: number;
  /** Every message whose MAC verified, as received (payload bytes). */
  received: Buffer[];
  /** Connections that ended without a verified message (probes, bad MACs). */
  refused: number;
  close(): Promise<void>;
}

/**
 * A Botzilla component: answers each verified string map with `handler(map)` (echo by default);
 * a bad MAC or a body that is not a string map closes without a reply.
 */
export async function startV1Component(handler: (body: Record<string, string>) => Record<string, string> = (b) => b, key = PPAP): Promise<V1Component> {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const state = { refused: 0 };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4) return;
      const n = buf.readUInt32LE(0);
      if (buf.length < 4 + n + 32) return;
      const payload = buf.subarray(4, 4 + n);
      const mac = buf.subarray(4 + n, 4 + n + 32);
      if (!timingSafeEqual(mac, macOf(key, payload))) return void (state.refused++, socket.destroy());
      let body: Record<string, string>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, string>;
        if (Object.values(body).some((v) => typeof v !== 'string')) throw new Error('not a string map');
      } catch {
        return void (state.refused++, socket.destroy());
      }
      received.push(Buffer.from(payload));
      const out = Buffer.from(JSON.stringify(handler(body)));
      socket.write(u32le(out.length));
      socket.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    received,
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
