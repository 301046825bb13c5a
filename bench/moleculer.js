// Moleculer 0.14 request/reply over its TCP transporter, measured like botz and NATS: the echo
// broker in a child process on the peer CPU (bench/moleculer-echo.mjs), the requesting broker
// here calling its action through the same load loop with the same body. UDP discovery is off
// and both nodes are named in static loopback urls, so nothing leaves 127.0.0.1.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startChild } from './nats.js';
import { CLIENT_NODE, ECHO_NODE, tcpTransporter } from './moleculer-options.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs one measurement per entry of `inFlights` on one pair of brokers; returns one result each. */
export async function benchMoleculer({ inFlights, bodyBytes, count, warmup = 500, cpu = 1, runLoad, figures, timeoutMs = 10_000 }) {
  const { ServiceBroker } = await import('moleculer');
  const ports = { [CLIENT_NODE]: await freePort(), [ECHO_NODE]: await freePort() };
  const echo = await startChild(process.execPath, [join(HERE, 'moleculer-echo.mjs'), String(ports[ECHO_NODE]), String(ports[CLIENT_NODE])], cpu, /ready/);
  const broker = new ServiceBroker({ nodeID: CLIENT_NODE, logger: false, requestTimeout: timeoutMs, transporter: tcpTransporter(CLIENT_NODE, ports) });
  try {
    await broker.start();
    await broker.waitForServices('bench', timeoutMs);
    const params = { d: 'x'.repeat(Math.max(0, bodyBytes - 8)) };
    const call = async () => {
      const reply = await broker.call('bench.echo', params);
      if (reply?.d?.length !== params.d.length) throw new Error('the echo differs from the request');
    };
    const results = [];
    for (const inFlight of inFlights) {
      await runLoad({ call, inFlight, count: warmup });
      const result = await runLoad({ call, inFlight, count: inFlight === 1 ? Math.max(200, Math.round(count / 8)) : count });
      results.push({ target: 'moleculer-tcp', inFlight, bodyBytes, ...figures(result, bodyBytes) });
    }
    return results;
  } finally {
    await broker.stop().catch(() => {});
    echo.kill();
  }
}
