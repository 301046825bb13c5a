// The far end of bench/streams.js, in its own process: a component that accepts `drain` streams
// (reads everything, optionally at a set rate, then ends its half and reports the bytes) and
// answers requests, or a plain ws server that drains (the baseline), or (mode `mesh`) two
// mesh-only relays and such a sink linked in a line, so that a sender dialing the first relay is
// three hops from the sink. Prints one JSON line when ready.
import { WebSocketServer } from 'ws';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [mode, server, secret, name, ratePerSec] = process.argv.slice(2);

if (mode === 'ws') {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let bytes = 0;
    ws.on('message', (data) => {
      if (data.length === 0) ws.send(String(bytes));
      else bytes += data.length;
    });
  });
  wss.on('listening', () => console.log(JSON.stringify({ address: `127.0.0.1:${wss.address().port}` })));
} else {
  const { Component } = await import(join(ROOT, 'dist', 'index.js'));
  const streams = { windowBytes: Number(process.env.STREAM_WINDOW ?? 262144) };
  const relays = [];
  if (mode === 'mesh') {
    // server is null here: mesh-only nodes, as `botz register --mesh` runs without a server.
    for (const relay of ['mesh-r1', 'mesh-r2']) relays.push(await Component.start({ server: null, secret, name: relay, mesh: {} }));
  }
  const component = await Component.start({ server: mode === 'mesh' ? null : server, secret, name, streams, ...(mode === 'direct' ? { port: 0 } : {}), ...(mode === 'mesh' ? { mesh: {} } : {}), onMessage: (m) => m.body });
  if (mode === 'mesh') {
    await relays[0].mesh.node.dial(relays[1].mesh.address);
    await relays[1].mesh.node.dial(component.mesh.address);
  }
  const rate = Number(ratePerSec ?? 0);
  component.accept('drain', (ch) => {
    let bytes = 0;
    if (rate > 0) {
      // A slow reader: at most `rate` bytes a second, in 64 KiB reads.
      const timer = setInterval(() => {
        let taken = 0;
        let chunk;
        while (taken < rate / 10 && (chunk = ch.read()) !== null) taken += chunk.length;
        bytes += taken;
      }, 100);
      ch.on('end', () => clearInterval(timer));
    } else ch.on('data', (chunk) => (bytes += chunk.length));
    ch.on('end', () => ch.end(String(bytes)));
    ch.on('error', () => {});
  });
  setInterval(() => process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss }) + '\n'), 500).unref();
  console.log(JSON.stringify({ ready: true, ...(mode === 'mesh' ? { address: relays[0].mesh.address } : {}) }));
}
