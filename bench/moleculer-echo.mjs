// The Moleculer side of the comparison: a broker with one service whose `echo` action answers
// with its own params, over the TCP transporter on loopback. argv: this broker's port, the
// requester's port. Prints "ready" once the broker has started.
import { ServiceBroker } from 'moleculer';
import { CLIENT_NODE, ECHO_NODE, tcpTransporter } from './moleculer-options.mjs';

const [port, clientPort] = process.argv.slice(2).map(Number);
const broker = new ServiceBroker({ nodeID: ECHO_NODE, logger: false, transporter: tcpTransporter(ECHO_NODE, { [ECHO_NODE]: port, [CLIENT_NODE]: clientPort }) });
broker.createService({ name: 'bench', actions: { echo: (ctx) => ctx.params } });
await broker.start();
process.stdout.write('ready\n');
