/**
 * Mesh cost of credential nodes against shared-secret ones (issue 18): a line a—b—c of mesh
 * components and their server in one process, `a.mesh.request('c')` with 100-byte bodies, 16 in
 * flight then 1 in flight, the two modes interleaved. A credential node seals what it carries
 * for its recipient (X25519-derived key, AES-256-GCM) and the recipient opens and checks it, on
 * top of the per-hop packet MAC every mesh node pays; each carried frame also holds the sender's
 * signed mesh key. Run after `npm run build`: `taskset -c 0 node bench/credential-mesh.mjs`.
 */
import { Server, Component, Issuer, loadCredential, ALL_PERMISSIONS } from '../dist/index.js';

const SECRET = 'bench-secret-0123456789abcdef';
const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function line(mode) {
  const issuer = new Issuer();
  const server = await Server.start({ host: '127.0.0.1', port: 0, secret: SECRET, ...(mode === 'credential' ? { identity: { authority: issuer } } : {}) });
  const id = (name) => (mode === 'credential' ? { secret: undefined, identity: { credential: loadCredential(issuer.issue(name, ALL_PERMISSIONS).file) } } : { secret: SECRET });
  const node = (name, dial) => Component.start({ server: server.address, name, mesh: { dial }, onMessage: (m) => m.body, ...id(name) });
  const a = await node('a', []);
  const b = await node('b', [a.mesh.address]);
  const c = await node('c', [b.mesh.address]);
  while (!a.mesh.hasRoute('c') || !c.mesh.hasRoute('a')) await new Promise((r) => setTimeout(r, 20));
  return { a, stop: async () => { for (const n of [c, b, a]) await n.stop(); await server.stop(); } };
}

async function run(mode, seconds = 3) {
  const { a, stop } = await line(mode);
  const body = { data: 'x'.repeat(100) };
  for (let i = 0; i < 1000; i++) await a.mesh.request('c', body);
  let done = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (Date.now() < end) { await a.mesh.request('c', body); done++; } }));
  const rate = done / ((Date.now() - t0) / 1000);
  const lat = [];
  for (let i = 0; i < 1000; i++) {
    const s = process.hrtime.bigint();
    await a.mesh.request('c', body);
    lat.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  lat.sort((x, y) => x - y);
  await stop();
  return { rate, p50: lat[500] };
}

const results = { shared: [], credential: [] };
for (let r = 0; r < ROUNDS; r++) for (const mode of ['shared', 'credential']) results[mode].push(await run(mode));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
for (const mode of ['shared', 'credential']) {
  const rates = results[mode].map((x) => x.rate);
  const p50s = results[mode].map((x) => x.p50);
  console.log(`${mode}: ${Math.round(median(rates))} req/s at 16 in flight (${range(rates)}); 1 in flight p50 ${Math.round(median(p50s))} µs (${range(p50s)})`);
}
const ratio = results.credential.map((x, i) => x.rate / results.shared[i].rate);
console.log(`credential / shared throughput, round by round: ${ratio.map((x) => x.toFixed(2)).join(', ')}`);
process.exit(0);
