/**
 * The Botzilla v1 gateway: unmodified Botzilla components join a botz network.
 *
 *   Botzilla component ──register/lookup/list──▶ gateway port (Botzilla registry, v1 framing)
 *        ▲      │                                    │ a botz Component per Botzilla name,
 *        │      └──send to a botz name──▶ bridge ───▶│ with meta.botzilla = its address
 *        │           (a v1 port per botz name)       ▼
 *        └────── one v1 connection per request ◀── botz server ◀── botz components, the CLI
 *
 * - register (opcode 0): the gateway registers the name in botz as a Component of its own whose
 *   handler forwards each request and broadcast to the Botzilla component (botzillaCall), so
 *   botz senders reach it through the relay like any component, and `botz components` lists it.
 * - lookup (2): a Botzilla name gives the address it registered (Botzilla to Botzilla stays
 *   direct); a botz name gives a bridge: a v1 listener for that name, whose requests become
 *   botz requests from the gateway's client.
 * - list (69): every registered name, botz and Botzilla alike (Botzilla's broadcast is a send to each).
 * Every 10 s each Botzilla address is dialed; one that does not answer leaves, as in the original.
 * The Botzilla key is its own: it never enters botz's keyring.
 */
import { randomBytes } from 'node:crypto';
import { every, systemClock, type Clock, type TimerHandle } from '../clock.js';
import { asBotzError, BotzError, ErrorCode } from '../errors.js';
import type { Secret } from '../channel/node-context.js';
import { Client } from '../component/client.js';
import { Component } from '../component/component.js';
import type { Message } from '../node/message.js';
import { validateName } from '../registry/registry.js';
import { RejectionReporter } from '../registry/rejection-reporter.js';
import {
  botzillaCall,
  botzillaProbe,
  DEFAULT_BOTZILLA_CONNECT_TIMEOUT_MS,
  listenBotzilla,
  BotzillaBudget,
  type BotzillaConnection,
  type BotzillaListener,
  type BotzillaRefusal,
} from '../transport/botzilla-tcp.js';
import { joinAddress } from '../transport/transport.js';
import type { MacKey } from '../wire/mac.js';
import { botzillaKey, DEFAULT_BOTZILLA_KEY, DEFAULT_MAX_FRAME_BYTES } from './frame.js';
import { BOTZILLA_META, encodeStringMap, listReplyBody, parseRegistryRequest, parseStringMap, REGISTERED, toStringMap, type StringMap } from './ops.js';

/** The port the original Botzilla server listens on. */
export const DEFAULT_BOTZILLA_PORT = 6985;
/** How often each Botzilla component is dialed to see that it is still there (the original's period). */
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;
/** How long a request to a Botzilla component, or from one to a botz component, may take. */
export const DEFAULT_BOTZILLA_CALL_TIMEOUT_MS = 10_000;
/** Botzilla components registered through one gateway at once. */
export const DEFAULT_MAX_BOTZILLA_COMPONENTS = 256;
/** Bridges (one v1 port per botz name a Botzilla component looked up) open at once. */
export const DEFAULT_MAX_BRIDGES = 256;
/** Requests from botz to Botzilla components in flight at once (each holds a TCP connection); more are refused with TOO_MANY_PENDING. */
export const DEFAULT_MAX_BOTZILLA_CALLS = 128;
/** Registry requests are a name and a port: a frame this large is no registry request. */
export const REGISTRY_MAX_FRAME_BYTES = 64 * 1024;

export interface BotzillaGatewayOptions {
  /** The botz server to join (`host:port`), and botz's own secret for it. */
  server: string;
  secret: Secret;
  encrypt?: boolean;
  /** Where the Botzilla registry listens (default 127.0.0.1:6985); bridges listen on the same host. */
  host?: string;
  port?: number;
  /** The Botzilla shared key (default "ppap", what the original hard-codes). */
  key?: string | Uint8Array;
  maxFrameBytes?: number;
  /** Bounds a whole request arriving, and a reply leaving, on every Botzilla port. */
  readTimeoutMs?: number;
  writeTimeoutMs?: number;
  callTimeoutMs?: number;
  probeIntervalMs?: number;
  maxComponents?: number;
  maxBridges?: number;
  maxCalls?: number;
  /** Connections, and bytes of requests still arriving, across the registry port and every bridge. */
  maxConnections?: number;
  maxPendingBytes?: number;
  clock?: Clock;
  /**
   * Refused Botzilla connections and requests (bad MAC, too large, truncated, too slow), a
   * flood from one source summed up once a second (`count`), as the server reports its own.
   */
  onRejected?: (rejection: BotzillaRejection) => void;
}

/** One refusal (with its `message`), or (with `count`) how many of a code one source had in the last window. */
export type BotzillaRejection = { code: string; remote: string; at: number; message?: string; count?: number };

interface LegacyEntry {
  address: string;
  component: Component;
}

export class BotzillaGateway {
  /** Requests and connections refused, by error code. */
  readonly rejected: Record<string, number> = {};
  private readonly legacy = new Map<string, LegacyEntry>();
  private readonly starting = new Set<string>();
  private readonly bridges = new Map<string, Promise<BotzillaListener | undefined>>();
  private readonly key: MacKey;
  private readonly clock: Clock;
  private listener!: BotzillaListener;
  private probeTimer: TimerHandle | undefined;
  private unwatch: (() => void) | undefined;
  private readonly budget: BotzillaBudget;
  private readonly rejections: RejectionReporter<BotzillaRejection>;
  private callsInFlight = 0;
  private probing = false;
  private stopped = false;

  private constructor(
    private readonly options: BotzillaGatewayOptions,
    private readonly client: Client,
  ) {
    this.key = botzillaKey(typeof options.key === 'string' ? Buffer.from(options.key) : (options.key ?? Buffer.from(DEFAULT_BOTZILLA_KEY)));
    this.clock = options.clock ?? systemClock;
    this.rejections = new RejectionReporter(this.clock, (r) => this.options.onRejected?.(r));
    this.budget = new BotzillaBudget(options.maxConnections, options.maxPendingBytes);
  }

  /** Joins the botz server, then listens for Botzilla. Throws what Client.connect and listening throw (ADDRESS_IN_USE). */
  static async start(options: BotzillaGatewayOptions): Promise<BotzillaGateway> {
    const name = `botzilla-gateway-${randomBytes(3).toString('hex')}`;
    const client = await Client.connect({ server: options.server, secret: options.secret, encrypt: options.encrypt, clock: options.clock, name });
    const gateway = new BotzillaGateway(options, client);
    try {
      await gateway.listen();
    } catch (error) {
      await client.close();
      throw error;
    }
    return gateway;
  }

  /** `host:port` of the Botzilla registry port. */
  get address(): string {
    return this.listener.address;
  }

  /** The Botzilla components registered now: name → the address they registered. */
  get components(): Record<string, string> {
    return Object.fromEntries([...this.legacy].map(([name, e]) => [name, e.address]));
  }

  /** Bridges open now. */
  get bridgeCount(): number {
    return this.bridges.size;
  }

  private async listen(): Promise<void> {
    this.listener = await this.listenV1(this.options.port ?? DEFAULT_BOTZILLA_PORT, REGISTRY_MAX_FRAME_BYTES, (payload, from) => this.registryRequest(payload, from));
    this.probeTimer = every(this.clock, this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS, () => void this.probe()).unref();
    // A bridge lives as long as its botz component.
    this.unwatch = await this.client.watch((e) => {
      if (e.type === 'leave') void this.closeBridge(e.component.name);
    });
  }

  private listenV1(port: number, maxFrameBytes: number, handler: Parameters<typeof listenBotzilla>[1]): Promise<BotzillaListener> {
    const { options } = this;
    return listenBotzilla(
      {
        host: options.host ?? '127.0.0.1',
        port,
        key: this.key,
        maxFrameBytes,
        budget: this.budget,
        readTimeoutMs: options.readTimeoutMs,
        writeTimeoutMs: options.writeTimeoutMs,
        clock: this.clock,
        onRefused: (r) => this.reject(r),
      },
      handler,
    );
  }

  private reject(refusal: BotzillaRefusal): void {
    this.rejected[refusal.code] = (this.rejected[refusal.code] ?? 0) + 1;
    this.rejections.report({ ...refusal, at: this.clock.now() });
  }

  /** One request to the registry port; undefined closes without a reply, as the original does. */
  private async registryRequest(payload: Buffer, from: BotzillaConnection): Promise<Buffer | undefined> {
    let op;
    try {
      op = parseRegistryRequest(payload);
    } catch (error) {
      this.reject({ code: asBotzError(error, ErrorCode.MALFORMED_FRAME).code, remote: from.remote, message: (error as Error).message });
      return undefined;
    }
    switch (op.op) {
      case 'register':
        return this.register(op.name, joinAddress(from.remoteHost, Number(op.port)));
      case 'lookup':
        return this.lookup(op.name, from.localHost);
      case 'list':
        return listReplyBody((await this.client.components()).map((c) => c.name));
      case 'unknown':
        return Buffer.alloc(0);
    }
  }

  private async register(name: string, address: string): Promise<Buffer | undefined> {
    if (this.stopped || this.legacy.has(name) || this.starting.has(name)) return undefined;
    if (this.legacy.size + this.starting.size >= (this.options.maxComponents ?? DEFAULT_MAX_BOTZILLA_COMPONENTS)) return undefined;
    try {
      validateName(name);
    } catch {
      return undefined;
    }
    this.starting.add(name);
    let component: Component;
    try {
      component = await Component.start({
        server: this.options.server,
        secret: this.options.secret,
        encrypt: this.options.encrypt,
        clock: this.options.clock,
        name,
        meta: { [BOTZILLA_META]: address },
        onMessage: (m) => this.toBotzilla(address, m),
        // v1 has no shutdown: a Botzilla component is not stopped by botz (a forced request still removes it).
        onShutdown: () => false,
      });
    } catch {
      return undefined; // NAME_TAKEN: a botz component holds it, as a duplicate is refused by the original
    } finally {
      this.starting.delete(name);
    }
    if (this.stopped) {
      await component.stop();
      return undefined;
    }
    this.legacy.set(name, { address, component });
    component.once('stopped', () => {
      if (this.legacy.get(name)?.component === component) this.legacy.delete(name);
    });
    return REGISTERED;
  }

  /** A botz request or broadcast for a Botzilla component, sent as v1; its reply is the answer. */
  private async toBotzilla(address: string, message: Message): Promise<StringMap> {
    const maxCalls = this.options.maxCalls ?? DEFAULT_MAX_BOTZILLA_CALLS;
    if (this.callsInFlight >= maxCalls) throw new BotzError(ErrorCode.TOO_MANY_PENDING, `the Botzilla gateway already has ${maxCalls} requests in flight`);
    this.callsInFlight++;
    try {
      const reply = await botzillaCall(address, encodeStringMap(toStringMap(message.body)), {
        key: this.key,
        timeoutMs: this.options.callTimeoutMs ?? DEFAULT_BOTZILLA_CALL_TIMEOUT_MS,
        maxReplyBytes: this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
        clock: this.clock,
      });
      return parseStringMap(reply);
    } finally {
      this.callsInFlight--;
    }
  }

  private async lookup(name: string, localHost: string): Promise<Buffer | undefined> {
    const legacy = this.legacy.get(name);
    if (legacy) return Buffer.from(legacy.address);
    const info = (await this.client.components()).find((c) => c.name === name);
    if (!info || info.state !== 'ready' || info.meta[BOTZILLA_META] !== undefined) return undefined;
    const bridge = await this.bridgeFor(name);
    return bridge ? Buffer.from(joinAddress(localHost, bridge.port)) : undefined;
  }

  private bridgeFor(name: string): Promise<BotzillaListener | undefined> {
    const open = this.bridges.get(name);
    if (open) return open;
    if (this.stopped || this.bridges.size >= (this.options.maxBridges ?? DEFAULT_MAX_BRIDGES)) return Promise.resolve(undefined);
    const opening = this.listenV1(0, this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, (payload, from) => this.fromBotzilla(name, payload, from)).catch(() => undefined);
    this.bridges.set(name, opening);
    return opening;
  }

  /** A Botzilla component's message to a botz component, through that component's bridge. */
  private async fromBotzilla(name: string, payload: Buffer, from: BotzillaConnection): Promise<Buffer | undefined> {
    let body: StringMap;
    try {
      body = parseStringMap(payload);
    } catch (error) {
      this.reject({ code: ErrorCode.MALFORMED_FRAME, remote: from.remote, message: (error as Error).message });
      return undefined;
    }
    try {
      const reply = await this.client.send(name, body, { timeout: this.options.callTimeoutMs ?? DEFAULT_BOTZILLA_CALL_TIMEOUT_MS });
      return encodeStringMap(toStringMap(reply));
    } catch {
      return undefined; // what a failing v1 component does: close without a reply
    }
  }

  private async closeBridge(name: string): Promise<void> {
    const bridge = this.bridges.get(name);
    if (!bridge) return;
    this.bridges.delete(name);
    await (await bridge)?.close();
  }

  /** Dials every Botzilla component; those that do not answer leave botz. */
  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      const entries = [...this.legacy];
      const up = await Promise.all(entries.map(([, e]) => botzillaProbe(e.address, DEFAULT_BOTZILLA_CONNECT_TIMEOUT_MS, this.clock)));
      await Promise.all(entries.filter((_, i) => !up[i]).map(([name, e]) => this.drop(name, e)));
    } finally {
      this.probing = false;
    }
  }

  private async drop(name: string, entry: LegacyEntry): Promise<void> {
    if (this.legacy.get(name) !== entry) return;
    this.legacy.delete(name);
    await entry.component.stop();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.probeTimer?.clear();
    this.rejections.stop();
    this.unwatch?.();
    await this.listener.close();
    await Promise.all([...this.bridges.keys()].map((name) => this.closeBridge(name)));
    await Promise.all([...this.legacy].map(([name, e]) => this.drop(name, e)));
    await this.client.close();
  }
}
