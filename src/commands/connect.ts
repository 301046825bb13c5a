import { Args, Flags } from '@oclif/core';
import { BotzCommand, connectionFlags } from '../cli/base-command.js';
import { parseHeaders } from '../cli/headers.js';
import { durationFlag } from '../cli/verb-oclif.js';
import { interactiveSession, pipeSession } from '../cli/stream-session.js';

export default class Connect extends BotzCommand {
  static override summary = 'Open a stream to a component: stdin goes to it, what it sends comes out on stdout';
  static override description =
    'Opens a stream for PROTOCOL to NAME (which accepts it with `botz register NAME --accept PROTOCOL`, or the library\'s accept()). ' +
    'Piped, it is a raw byte pipe, like nc: stdin is sent until it ends (then our half is closed), and everything NAME sends is written to stdout ' +
    'until NAME ends its half; a progress line (bytes and rate each way) goes to stderr when stderr is a terminal. On a terminal it is a line ' +
    'session, like wscat: each line typed is sent, lines received are shown after "< "; Ctrl-D half-closes, and NAME\'s end ends the session. ' +
    'Exit 3 for UNKNOWN_PROTOCOL, 5 when NAME refused (REFUSED) or aborted the stream (STREAM_RESET).';
  static override examples = [
    'tar c dir | <%= config.bin %> connect backup files',
    '<%= config.bin %> connect worker logs --header since=1h > logs.txt',
    '<%= config.bin %> connect echo chat',
  ];
  static override args = {
    name: Args.string({ required: true, description: 'the component to open the stream to' }),
    protocol: Args.string({ required: true, description: 'the protocol its handler accepts' }),
  };
  static override flags = {
    ...connectionFlags,
    header: Flags.string({ char: 'H', multiple: true, helpValue: '<key=value>', description: 'send this header with the open (repeatable)' }),
    timeout: durationFlag({ description: 'how long to wait for the connection and the accept (default 5s); the stream itself has no timeout' }),
    liveness: durationFlag({ description: 'fail (exit 3, UNREACHABLE) once NAME was silent this long: it crashed, hangs or cannot be reached (default 10s)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Connect);
    this.failureContext.server = flags.server;
    this.failureContext.target = args.name;
    const secret = await this.secretFor(flags);
    const { Client } = await import('../index.js');
    const timeoutMs = flags.timeout ?? 5_000;
    this.failureContext.timeoutMs = timeoutMs;
    const streams = flags.liveness === undefined ? undefined : { livenessMs: flags.liveness, keepaliveMs: Math.max(50, Math.floor(flags.liveness / 5)) };
    const client = await Client.connect({ server: flags.server, secret, encrypt: flags.encrypt, timeoutMs, streams });
    try {
      const channel = await client.connect(args.name, args.protocol, { headers: parseHeaders(flags.header), timeout: timeoutMs });
      if (process.stdin.isTTY && process.stdout.isTTY) await interactiveSession(channel, process.stdin, process.stdout);
      else await pipeSession(channel, process.stdin, process.stdout, process.stderr.isTTY ? process.stderr : undefined);
    } finally {
      await client.close();
    }
  }
}
