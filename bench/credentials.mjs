/**
 * Relay cost of credential links against shared-secret ones (issue 18): server, echo and client
 * in one process, 100-byte bodies, 64 in flight then 1 in flight, the two modes interleaved.
 * A credential link's packets cost what any packet costs (the same HMAC or AES-GCM under its
 * link key); what differs is the relay, which opens, checks and seals anew what it forwards.
 * Run after `npm run build`: `taskset -c 0 node bench/credentials.mjs`.
 */
import { Server, Component, Client, Issuer, loadCredential, ALL_PERMISSIONS } from '../dist/index.js';
const SECRET = 'bench-secret-0123456789abcdef';
async function run(mode, seconds = 4, inflight = 64) {
  const issuer = new Issuer();
  const server = await Server.start({ port: 0, secret: SECRET, identity: { authority: issuer } });
  const cred = (n) => ({ identity: { credential: loadCredential(issuer.issue(n, ALL_PERMISSIONS).file) } });
  const id = (n) => (mode === 'credential' ? { ...cred(n), secret: undefined } : { secret: SECRET });
  const echo = await Component.start({ server: server.address, name: 'echo', ...id('echo'), onMessage: (m) => m.body });
  const client = mode === 'credential' ? await Client.connect({ server: server.address, ...cred('client') }) : await Client.connect({ server: server.address, secret: SECRET, oneShot: true });
  const body = { data: 'x'.repeat(100) };
  for (let i = 0; i < 2000; i++) await client.send('echo', body);
  let done = 0; const end = Date.now() + seconds * 1000; const cpu0 = process.cpuUsage(); const t0 = Date.now();
  await Promise.all(Array.from({ length: inflight }, async () => { while (Date.now() < end) { await client.send('echo', body); done++; } }));
  const cpu = process.cpuUsage(cpu0); const el = (Date.now() - t0) / 1000;
  let lat = []; for (let i = 0; i < 2000; i++) { const s = process.hrtime.bigint(); await client.send('echo', body); lat.push(Number(process.hrtime.bigint() - s) / 1e3); }
  lat.sort((a, b) => a - b);
  console.log(mode, `${Math.round(done / el)} req/s at ${inflight} in flight; CPU ${((cpu.user + cpu.system) / done).toFixed(1)} µs/request; 1 in flight p50 ${lat[1000].toFixed(0)} µs`);
  await client.close(); await echo.stop(); await server.stop();
}
for (const m of ['shared', 'credential', 'shared', 'credential', 'shared', 'credential']) await run(m, 3);
