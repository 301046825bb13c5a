// The NATS side of the comparison: a responder that answers every request on `bench.echo`
// with the request's own bytes. argv: the nats-server URL. Prints "ready" once subscribed.
import { connect } from 'nats';

const nc = await connect({ servers: process.argv[2] });
const sub = nc.subscribe('bench.echo');
await nc.flush();
process.stdout.write('ready\n');
for await (const msg of sub) msg.respond(msg.data);
