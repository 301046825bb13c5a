/**
 * Request/response benchmark: N requests in flight with B-byte bodies against an echo, over
 * botz (direct or relayed) or over a raw ws baseline, with the same load loop for all four.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '../component/client.js';
import { Issuer } from '../identity/issuer.js';
import { loadCredential } from '../identity/credential.js';
import { ALL_PERMISSIONS } from '../identity/grant.js';
import type { Body } from '../wire/frames.js';
import { benchBinaryBody, benchBody, benchBodySize, benchBytes } from './body.js';
import type { PeerHost, Peer } from './peer-host.js';
import { meshDriver, meshDriverName, meshLineNames } from './mesh-line.js';
import { RawClient } from './raw-ws.js';
import { figures, runLoad, type LoadProgress, type RequestFigures } from './request-load.js';

/**
 * `raw` and `raw-coalesced` are the plain ws echoes; `raw-json` is the plain one carrying a
 * JSON frame that each side parses and encodes (see raw-ws.ts), reported beside the others.
 */
export type RequestTarget = 'direct' | 'relay' | 'mesh' | 'raw' | 'raw-coalesced' | 'raw-json';

export const REQUEST_TARGETS: readonly RequestTarget[] = ['direct', 'relay', 'mesh', 'raw', 'raw-coalesced', 'raw-json'];

export interface RequestBenchOptions {
  target: RequestTarget;
  inFlight: number;
  bodyBytes: number;
  /** Measured requests (after the warm-up); or use durationMs. */
  count?: number;
  durationMs?: number;
  /** Requests sent and discarded first, so the JIT and the links are warm. */
  warmup?: number;
  /**
   * Also warm up for this long, at the measured load, before measuring. A count alone ends long
   * before V8 has tiered up the hot path of a library (botz's is larger than a bare echo's), and
   * a tail measured then is the JIT's, not the steady state's.
   */
  warmupMs?: number;
  /** Echo components that requests are spread over, round robin (botz targets). */
  components?: number;
  host: PeerHost;
  /** mesh target: links a request crosses to reach the echo (default 2: one relay between). */
  hops?: number;
  /** An existing network to register the echo components in, instead of starting a server. */
  network?: { server: string; secret: string };
  timeoutMs?: number;
  /** botz targets: the client encrypts its links (and so its exchanges, both ways). */
  encrypt?: boolean;
  /**
   * botz targets: the body is one binary value (a Uint8Array of `bodyBytes`) instead of a JSON
   * string; the raw baselines carry bytes either way.
   */
  binary?: boolean;
  /** botz targets: the packet limit of the server, the echo and the client (large bodies). */
  maxPacketBytes?: number;
  /**
   * botz targets on a network the bench starts (issue 18): the echoes and the client prove
   * per-component credentials of a fresh issuer instead of the shared secret.
   */
  credentials?: boolean;
  onProgress?: (progress: LoadProgress) => void;
  /**
   * botz and mesh targets: the body of request `seq` (from 0), instead of the fixed
   * `bodyBytes` one, e.g. from payload templates. Its `d` field is what the echo check compares.
   */
  bodyFor?: (seq: number) => Body;
}

export interface RequestBenchResult extends RequestFigures {
  target: RequestTarget;
  inFlight: number;
  bodyBytes: number;
  binary: boolean;
  components: number;
}

/** The same `bodyBytes` body (a JSON string or, `binary`, bytes) for every request. */
function fixedBody(bytes: number, binary = false): (seq: number) => Body {
  const body = binary ? benchBinaryBody(bytes) : benchBody(bytes);
  return () => body;
}

/** A wrong echo is an error of the run, counted like any other. */
function badEcho(): Error {
  return Object.assign(new Error('the echo differs from the request'), { code: 'BAD_ECHO' });
}

interface Setup {
  call: (seq: number) => Promise<unknown>;
  teardown: () => Promise<void>;
}

async function setupBotz(o: RequestBenchOptions, components: number): Promise<Setup> {
  const peers: Peer[] = [];
  const cleanup = async (): Promise<void> => {
    for (const p of peers.reverse()) await p.stop();
  };
  try {
    let network = o.network;
    const issuer = o.credentials ? new Issuer() : undefined;
    if (!network) {
      const secret = randomBytes(24).toString('base64url');
      const server = await o.host({ role: 'server', secret, maxPacketBytes: o.maxPacketBytes, ...(issuer ? { issuerSeed: issuer.seed.toString('base64url') } : {}) });
      peers.push(server);
      network = { server: String(server.info.address), secret };
    }
    const names = Array.from({ length: components }, (_, i) => `bench-echo-${process.pid}-${i}`);
    const credentials = issuer ? names.map((name) => issuer.issue(name, ALL_PERMISSIONS).file) : undefined;
    peers.push(await o.host({ role: 'echo', server: network.server, secret: network.secret, names, direct: o.target === 'direct', maxPacketBytes: o.maxPacketBytes, ...(credentials ? { credentials } : {}) }));
    // A credential client dials only under its credential's own name (a peer admits no NAME.suffix).
    const clientName = `bench-client-${process.pid}`;
    const identity = issuer ? { name: clientName, identity: { credential: loadCredential(issuer.issue(clientName, ALL_PERMISSIONS).file) } } : { secret: network.secret };
    const client = await Client.connect({ server: network.server, ...identity, timeoutMs: o.timeoutMs ?? 10_000, encrypt: o.encrypt, maxPacketBytes: o.maxPacketBytes });
    const bodyFor = o.bodyFor ?? fixedBody(o.bodyBytes, o.binary);
    const options = { timeout: o.timeoutMs ?? 10_000 };
    return {
      call: async (seq) => {
        const body = bodyFor(seq);
        const reply = await client.send(names[seq % names.length], body, options);
        if (benchBodySize(reply) !== benchBodySize(body)) throw badEcho();
      },
      teardown: async () => {
        await client.close();
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Requests across a line of mesh nodes in a peer process (`hops` links, default 2). */
async function setupMesh(o: RequestBenchOptions): Promise<Setup> {
  const secret = randomBytes(24).toString('base64url');
  const hops = o.hops ?? 2;
  const issuer = o.credentials ? new Issuer() : undefined;
  const credentials = issuer ? meshLineNames(hops).map((name) => issuer.issue(name, ALL_PERMISSIONS).file) : undefined;
  const line = await o.host({ role: 'mesh-line', secret, hops, ...(credentials ? { credentials } : {}) });
  try {
    const driver = await meshDriver(secret, String(line.info.address), undefined, issuer?.issue(meshDriverName(), ALL_PERMISSIONS).file);
    const bodyFor = o.bodyFor ?? fixedBody(o.bodyBytes);
    const timeout = o.timeoutMs ?? 10_000;
    return {
      call: async (seq) => {
        const body = bodyFor(seq);
        const reply = await driver.request(body, timeout);
        if (benchBodySize(reply) !== benchBodySize(body)) throw badEcho();
      },
      teardown: async () => {
        await driver.close();
        await line.stop();
      },
    };
  } catch (error) {
    await line.stop();
    throw error;
  }
}

async function setupRaw(o: RequestBenchOptions): Promise<Setup> {
  const coalesce = o.target === 'raw-coalesced';
  const json = o.target === 'raw-json';
  const echo = await o.host({ role: 'raw-echo', coalesce, json });
  try {
    const client = await RawClient.connect(String(echo.info.address), { coalesce });
    const bytes = benchBytes(o.bodyBytes);
    const body = benchBody(o.bodyBytes);
    const length = (body as { d: string }).d.length;
    return {
      call: json
        ? async () => {
            const reply = await client.requestJson({ from: 'bench', body });
            if ((reply.body as { d?: string } | null)?.d?.length !== length) throw badEcho();
          }
        : async () => {
            const reply = await client.request(bytes);
            if (reply.length !== bytes.length + 4) throw badEcho();
          },
      teardown: async () => {
        client.close();
        await echo.stop();
      },
    };
  } catch (error) {
    await echo.stop();
    throw error;
  }
}

/** Runs one request/response measurement, setting up and tearing down its own peers. */
export async function benchRequests(o: RequestBenchOptions): Promise<RequestBenchResult> {
  const raw = o.target === 'raw' || o.target === 'raw-coalesced' || o.target === 'raw-json';
  const components = raw ? 0 : Math.max(1, o.components ?? 1);
  const setup = raw ? await setupRaw(o) : o.target === 'mesh' ? await setupMesh(o) : await setupBotz(o, components);
  try {
    const warmup = o.warmup ?? 500;
    // Each load numbers its calls from 0; requests keep one numbering across them (bodyFor sees it).
    let before = 0;
    const call = (seq: number) => setup.call(before + seq);
    if (warmup > 0) {
      // The first warm-up request alone: if it fails, the rest would only time failures (for
      // --duration, at length); its figures say what failed.
      const probe = await runLoad({ call, inFlight: 1, count: 1 });
      if (probe.ok === 0) return { target: o.target, inFlight: o.inFlight, bodyBytes: o.bodyBytes, binary: o.binary === true, components, ...figures(probe, o.bodyBytes) };
      before = 1;
      if (warmup > 1) before += (await runLoad({ call, inFlight: o.inFlight, count: warmup - 1 })).started;
      if (o.warmupMs) before += (await runLoad({ call, inFlight: o.inFlight, durationMs: o.warmupMs })).started;
    }
    const result = await runLoad({
      call,
      inFlight: o.inFlight,
      count: o.count,
      durationMs: o.durationMs,
      onProgress: o.onProgress,
    });
    return { target: o.target, inFlight: o.inFlight, bodyBytes: o.bodyBytes, binary: o.binary === true, components, ...figures(result, o.bodyBytes) };
  } finally {
    await setup.teardown();
  }
}
