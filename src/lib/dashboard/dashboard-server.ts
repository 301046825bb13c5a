/**
 * The dashboard's HTTP server: the page (bundled at build time, served from the package, no
 * CDN), a Server-Sent Events stream of updates, and a few small API calls. It listens on
 * loopback unless told otherwise, and everything that shows the network needs the token of
 * the printed URL. Pushes are one SSE message per interval (see DashboardFeed), so a page
 * costs the server a bounded amount; a page that stops reading is skipped once its connection
 * holds `MAX_VIEWER_BUFFER_BYTES`, and the number of pages is capped.
 *
 * Actions (a test request; a shutdown request, allowed on its own) exist only when enabled, and
 * only as POSTs with the token in a header a cross-site form cannot set; a Host check refuses
 * DNS-rebinding pages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AddressInUse, BotzError, ErrorCode } from '../errors.js';
import { joinAddress } from '../transport/transport.js';
import type { Clock } from '../clock.js';
import type { Body } from '../wire/frames.js';
import { DashboardFeed, type DashboardSource, type Viewer } from './dashboard-feed.js';
import { newDashboardToken, tokenMatches } from './dashboard-token.js';
import type { DashboardUpdate } from './dashboard-model.js';

/** A page whose connection holds more than this is skipped until it drains. */
export const MAX_VIEWER_BUFFER_BYTES = 512 * 1024;
export const DEFAULT_MAX_VIEWERS = 8;
/** Largest request body an action takes. */
const MAX_ACTION_BYTES = 64 * 1024;

const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export interface DashboardServerOptions {
  source: DashboardSource;
  clock: Clock;
  /** Folder holding the built page (index.html, app.js, app.css). */
  assetsDir: string;
  host?: string;
  port?: number;
  /** Given, or a new random one. */
  token?: string;
  /** Allow the page's action buttons (a test request). Off by default: the dashboard only looks. */
  actions?: boolean;
  /** Allow the page to ask a component to shut down (a button per component, confirmed in the page). Off by default. */
  shutdown?: boolean;
  maxViewers?: number;
  pushIntervalMs?: number;
  refreshIntervalMs?: number;
  /** What the page names as the network it shows (the server's address). */
  network: string;
  onError?: (error: unknown) => void;
}

export class DashboardServer {
  private constructor(
    private readonly http: ReturnType<typeof createServer>,
    /** Follows the network while pages are open. */
    readonly feed: DashboardFeed,
    readonly address: string,
    readonly token: string,
  ) {}

  /** The URL to open: the address and the token. */
  get url(): string {
    return `http://${this.address}/?token=${this.token}`;
  }

  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const assets = new Map<string, Buffer>();
    for (const file of new Set(Object.values(ASSETS))) {
      try {
        assets.set(file, await readFile(join(options.assetsDir, file)));
      } catch (cause) {
        throw new BotzError(ErrorCode.INVALID_ARGUMENT, `the dashboard page is not built (${join(options.assetsDir, file)} is missing); run npm run build`, { cause });
      }
    }
    const token = options.token ?? newDashboardToken();
    const feed = new DashboardFeed({ ...options });
    const host = options.host ?? '127.0.0.1';
    const state = { address: '' };
    const http = createServer((req, res) => {
      void handle(req, res, { options, feed, token, assets, address: () => state.address }).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new AddressInUse(joinAddress(host, options.port ?? 0), { cause: e }) : e));
      http.listen(options.port ?? 0, host, () => resolve());
    });
    const bound = http.address() as AddressInfo;
    state.address = joinAddress(bound.address, bound.port);
    return new DashboardServer(http, feed, state.address, token);
  }

  async stop(): Promise<void> {
    await this.feed.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}

interface Context {
  options: DashboardServerOptions;
  feed: DashboardFeed;
  token: string;
  assets: Map<string, Buffer>;
  address: () => string;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  // The token is in the page's URL: no Referer may carry it anywhere.
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
};

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (loopbackOnly(ctx.options.host) && !hostAllowed(req.headers.host, ctx.address())) return answer(res, 421, 'wrong Host for this dashboard');
  if (url.pathname === '/favicon.ico') return answer(res, 404, '');
  const asset = ASSETS[url.pathname];
  // The page itself shows nothing without the token, but is refused without it all the same,
  // so a wrong URL says so at once; its script and style hold no data.
  if (asset !== undefined && req.method === 'GET') {
    if (asset === 'index.html' && !tokenMatches(ctx.token, url.searchParams.get('token'))) return answer(res, 401, 'this dashboard needs the token of the URL it printed at start');
    res.writeHead(200, { 'Content-Type': TYPES[asset.split('.').pop()!], ...SECURITY_HEADERS });
    return void res.end(ctx.assets.get(asset));
  }
  const given = req.headers['x-botz-token'] ?? url.searchParams.get('token');
  if (!tokenMatches(ctx.token, Array.isArray(given) ? given[0] : given)) return answer(res, 401, 'token required');
  if (url.pathname === '/events' && req.method === 'GET') return events(req, res, ctx);
  if (url.pathname === '/api/body' && req.method === 'GET') {
    const body = ctx.feed.body(Number(url.searchParams.get('seq')));
    if (body === undefined) return answer(res, 404, 'no body kept for that message');
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
    return void res.end(body);
  }
  // State-changing calls are POSTs with the token in a header: a form on another site can send neither.
  if (req.method === 'POST' && req.headers['x-botz-token'] !== undefined) {
    if (url.pathname === '/api/bodies') {
      ctx.feed.setBodies(url.searchParams.get('on') === '1');
      return answer(res, 204, '');
    }
    if (url.pathname === '/api/send') return sendAction(req, res, ctx);
    if (url.pathname === '/api/shutdown') return shutdownAction(req, res, ctx);
  }
  answer(res, 404, 'not found');
}

function events(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  if (ctx.feed.viewerCount >= (ctx.options.maxViewers ?? DEFAULT_MAX_VIEWERS)) return answer(res, 503, 'too many dashboard pages open');
  res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', ...SECURITY_HEADERS });
  const hello = { network: ctx.options.network, actions: ctx.options.actions === true, shutdown: ctx.options.shutdown === true };
  res.write(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
  const viewer: Viewer = {
    get backlogged() {
      return res.writableLength > MAX_VIEWER_BUFFER_BYTES;
    },
    push(update: DashboardUpdate) {
      res.write(`data: ${JSON.stringify(update)}\n\n`);
    },
  };
  const remove = ctx.feed.add(viewer);
  req.socket.setNoDelay(true);
  res.on('close', remove);
}

/** An action's JSON body (at most MAX_ACTION_BYTES), or undefined once it answered 413/400 itself. */
async function actionInput(req: IncomingMessage, res: ServerResponse, expected: string): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_ACTION_BYTES) return void answer(res, 413, 'request too large');
    chunks.push(chunk);
  }
  try {
    const input: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof input === 'object' && input !== null) return input as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  answer(res, 400, `expected JSON ${expected}`);
  return undefined;
}

/** Answers an action with what it did: `{ok: true, ...}`, or `{ok: false, error}` (the network's error, not an HTTP one). */
async function actionResult(res: ServerResponse, run: () => Promise<object>): Promise<void> {
  let result: object;
  try {
    result = { ok: true, ...(await run()) };
  } catch (e) {
    result = { ok: false, error: { code: (e as BotzError).code ?? 'ERROR', message: (e as Error).message } };
  }
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(JSON.stringify(result));
}

async function sendAction(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const send = ctx.options.source.send;
  if (ctx.options.actions !== true || !send) return answer(res, 403, 'actions are off: start the dashboard with --dashboard-actions');
  const input = await actionInput(req, res, '{"to": NAME, "body": ...}');
  if (input === undefined) return;
  if (typeof input.to !== 'string') return answer(res, 400, 'expected JSON {"to": NAME, "body": ...}');
  const to = input.to;
  await actionResult(res, async () => ({ reply: await send(to, (input.body ?? null) as Body) }));
}

async function shutdownAction(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const shutdown = ctx.options.source.shutdown;
  if (ctx.options.shutdown !== true || !shutdown) return answer(res, 403, 'shutting components down is off: start the dashboard with --dashboard-shutdown');
  const input = await actionInput(req, res, '{"name": NAME}');
  if (input === undefined) return;
  if (typeof input.name !== 'string') return answer(res, 400, 'expected JSON {"name": NAME}');
  const name = input.name;
  await actionResult(res, () => shutdown(name));
}

/**
 * Listening on loopback, the page can only be meant as 127.0.0.1, localhost or [::1]; listening
 * elsewhere, the operator chose which names reach it, and the token guards it alone.
 */
function loopbackOnly(host: string | undefined): boolean {
  return host === undefined || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Only our own address or a loopback name with our port: a rebinding page's Host is its own domain. */
function hostAllowed(host: string | undefined, address: string): boolean {
  if (host === undefined) return false;
  if (host === address) return true;
  const port = address.slice(address.lastIndexOf(':') + 1);
  return host === `localhost:${port}` || host === `127.0.0.1:${port}` || host === `[::1]:${port}`;
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  res.end(text);
}
