/**
 * The dashboard's HTTP server in process, over real loopback HTTP, with a fake network source
 * and a stand-in page: the token, the Host check, the page cap, the SSE stream, bodies and the
 * one action (off by default).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock.js';
import { BotzError, ErrorCode } from '../../../src/lib/errors.js';
import { DashboardServer } from '../../../src/lib/dashboard/dashboard-server.js';
import type { DashboardSource } from '../../../src/lib/dashboard/dashboard-feed.js';
import type { TailEvent } from '../../../src/lib/node/subscriptions.js';

const started: DashboardServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function assets(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'botz-dashboard-assets-'));
  await Promise.all(['index.html', 'app.js', 'app.css'].map((f) => writeFile(join(dir, f), `/* ${f} */`)));
  return dir;
}

function source(sent: unknown[] = []): DashboardSource & { emit(e: TailEvent): void } {
  let listener: ((e: TailEvent) => void) | undefined;
  return {
    components: async () => [],
    tail: async (_o, l) => ((listener = l), async () => void (listener = undefined)),
    send: async (to, body) => (sent.push({ to, body }), { echoed: body }),
    shutdown: async (name) => {
      if (name === 'ghost') throw new BotzError(ErrorCode.NO_SUCH_COMPONENT, 'no component "ghost"');
      sent.push({ shutdown: name });
      return { ready: name !== 'stubborn' };
    },
    emit: (e) => listener?.(e),
  };
}

async function start(options: Partial<Parameters<typeof DashboardServer.start>[0]> = {}): Promise<DashboardServer> {
  const s = await DashboardServer.start({ source: source(), clock: systemClock, assetsDir: await assets(), network: '127.0.0.1:1', pushIntervalMs: 50, ...options });
  started.push(s);
  return s;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DashboardServer', () => {
  it('needs the token for the page and every piece of data; the script and style are public and hold none', async () => {
    const s = await start();
    const base = `http://${s.address}`;
    expect((await get(`${base}/`)).status).toBe(401);
    expect((await get(`${base}/?token=${s.token}x`)).status).toBe(401);
    expect((await get(`${base}/events`)).status).toBe(401);
    expect(await get(s.url)).toEqual({ status: 200, body: '/* index.html */' });
    expect((await get(`${base}/app.js`)).status).toBe(200);
    expect((await get(`${base}/api/body?seq=1`, { 'x-botz-token': s.token })).status).toBe(404);
    expect(s.url).toBe(`http://${s.address}/?token=${s.token}`);
  });

  it('on loopback, refuses a request naming a Host other than its own (DNS rebinding)', async () => {
    const s = await start();
    const port = s.address.split(':')[1];
    expect((await get(s.url, { host: 'attacker.example' })).status).toBe(421);
    expect((await get(s.url, { host: `localhost:${port}` })).status).toBe(200);
  });

  it('streams a hello and updates to a page, counts it while open, and caps how many are open', async () => {
    const s = await start({ maxViewers: 1 });
    const chunks: string[] = [];
    const req = request(`http://${s.address}/events?token=${s.token}`);
    const opened = new Promise<void>((resolve) =>
      req.on('response', (res) => {
        res.on('data', (b: Buffer) => {
          chunks.push(b.toString());
          if (chunks.join('').includes('"full":true')) resolve();
        });
      }),
    );
    req.end();
    await opened;
    expect(chunks.join('')).toContain('event: hello\ndata: {"network":"127.0.0.1:1","actions":false,"shutdown":false}');
    expect(s.feed.viewerCount).toBe(1);
    expect((await get(`http://${s.address}/events?token=${s.token}`)).status).toBe(503);
    req.destroy();
    await new Promise<void>((resolve) => {
      const check = () => (s.feed.viewerCount === 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(s.feed.active).toBe(false);
  });

  const post = (s: DashboardServer, headers: Record<string, string>, body: string, path = '/api/send') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`http://${s.address}${path}?token=${s.token}`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.on('data', (b: Buffer) => (text += b));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('sends a test request only when actions are on, and only as a POST with the token in a header', async () => {
    const readOnly = await start();
    expect((await post(readOnly, { 'x-botz-token': readOnly.token }, '{"to":"echo","body":1}')).status).toBe(403);
    const sent: unknown[] = [];
    const s = await start({ actions: true, source: source(sent) });
    expect((await post(s, {}, '{"to":"echo","body":1}')).status).toBe(404);
    expect((await post(s, { 'x-botz-token': s.token }, 'not json')).status).toBe(400);
    expect((await post(s, { 'x-botz-token': s.token }, 'x'.repeat(70_000))).status).toBe(413);
    const ok = await post(s, { 'x-botz-token': s.token }, '{"to":"echo","body":{"ping":1}}');
    expect(JSON.parse(ok.body)).toEqual({ ok: true, reply: { echoed: { ping: 1 } } });
    expect(sent).toEqual([{ to: 'echo', body: { ping: 1 } }]);
  });

  it('asks a component to shut down only with --dashboard-shutdown (test requests alone do not allow it), as a POST with the token in a header', async () => {
    const shut = (s: DashboardServer, body: string, headers: Record<string, string> = { 'x-botz-token': s.token }) => post(s, headers, body, '/api/shutdown');
    expect((await shut(await start(), '{"name":"echo"}')).status).toBe(403);
    expect((await shut(await start({ actions: true }), '{"name":"echo"}')).status).toBe(403);
    const sent: unknown[] = [];
    const s = await start({ shutdown: true, source: source(sent) });
    expect((await post(s, { 'x-botz-token': s.token }, '{"to":"echo","body":1}')).status).toBe(403);
    expect((await shut(s, '{"name":"echo"}', {})).status).toBe(404);
    expect((await shut(s, 'not json')).status).toBe(400);
    expect((await shut(s, '{"name":7}')).status).toBe(400);
    expect((await shut(s, 'x'.repeat(70_000))).status).toBe(413);
    expect(JSON.parse((await shut(s, '{"name":"echo"}')).body)).toEqual({ ok: true, ready: true });
    expect(JSON.parse((await shut(s, '{"name":"stubborn"}')).body)).toEqual({ ok: true, ready: false });
    expect(JSON.parse((await shut(s, '{"name":"ghost"}')).body)).toEqual({ ok: false, error: { code: 'NO_SUCH_COMPONENT', message: 'no component "ghost"' } });
    expect(sent).toEqual([{ shutdown: 'echo' }, { shutdown: 'stubborn' }]);
  });

  it('says the page is not built when its files are missing', async () => {
    await expect(start({ assetsDir: join(tmpdir(), 'botz-no-such-dir') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
