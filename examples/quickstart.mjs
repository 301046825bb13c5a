// The botz library in one file: a server, an echo component, and a sender.
// Run it after `npm run build`:   node examples/quickstart.mjs
// (In your own project: import { Server, Component } from 'botz'.)
import { Server, Component } from '../dist/index.js';

const secret = process.env.BOTZ_SECRET ?? 'example-secret-please-change-me';

const server = await Server.start({ host: '127.0.0.1', port: 0, secret });

// A component that accepts direct links (port 0: any free port) and answers with what it got.
const echo = await Component.start({
  server: server.address,
  secret,
  name: 'echo',
  port: 0,
  groups: ['svc'],
  onMessage: async (msg) => {
    console.log(`echo got a ${msg.kind} from ${msg.from} (${msg.path}):`, msg.body);
    return msg.body;
  },
});

// A component without a port: others reach it through the server's relay.
const alice = await Component.start({ server: server.address, secret, name: 'alice' });

console.log('reply:', await alice.send('echo', { hello: 'world' }, { timeout: 2000 }));
console.log('group reply:', await alice.send('@svc', { via: 'group' }));
console.log('broadcast:', await alice.broadcast({ ping: '1' }));
console.log('components:', (await alice.components()).map((c) => `${c.name} ${c.address ?? 'relay'} ${c.state}`));

await alice.stop();
await echo.stop();
await server.stop();
