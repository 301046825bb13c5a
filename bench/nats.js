// NATS request/reply, measured like botz: a nats-server and a responder in child processes on
// the peer CPU, the requester here, the same load loop and body size. Used by bench/run.js
// when nats-server and the `nats` package are both installed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts `cmd args` on `cpu` (when taskset is usable) and resolves once a line matches `ready`. */
export async function startChild(cmd, args, cpu, ready) {
  const argv = cpu === null ? [cmd, ...args] : ['taskset', '-c', String(cpu), cmd, ...args];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const onData = (b) => (seen += b);
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const deadline = Date.now() + 10_000;
  while (!ready.test(seen)) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited: ${seen}`);
    if (Date.now() > deadline) throw new Error(`${cmd} did not start: ${seen}`);
    await Promise.race([once(child.stdout, 'data'), once(child.stderr, 'data'), once(child, 'exit')]);
  }
  return child;
}

export async function benchNats({ inFlight, bodyBytes, count, warmup = 500, cpu = 1, runLoad, figures }) {
  const { connect } = await import('nats');
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const server = await startChild('nats-server', ['-a', '127.0.0.1', '-p', String(port)], cpu, /Server is ready/);
  const echo = await startChild(process.execPath, [join(HERE, 'nats-echo.mjs'), url], cpu, /ready/);
  const nc = await connect({ servers: url });
  try {
    const body = Buffer.from(JSON.stringify({ d: 'x'.repeat(Math.max(0, bodyBytes - 8)) }));
    const call = async () => {
      const reply = await nc.request('bench.echo', body, { timeout: 10_000 });
      if (reply.data.length !== body.length) throw new Error('the echo differs from the request');
    };
    await runLoad({ call, inFlight, count: warmup });
    const result = await runLoad({ call, inFlight, count });
    return { target: 'nats', inFlight, bodyBytes, ...figures(result, bodyBytes) };
  } finally {
    await nc.close();
    echo.kill();
    server.kill();
  }
}
