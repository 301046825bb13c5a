/**
 * `botz send` without oclif. A one-shot send is what people time and put in scripts, and
 * loading oclif costs more than the whole network round trip, so bin/run.js hands `send` here
 * first. It is built from the same pieces as commands/send.ts (payload grammar, secret lookup,
 * output, exit codes), and gives up — returning undefined, so oclif runs the command instead —
 * on anything it does not understand: --help, unknown flags, a missing NAME, a value flag given
 * twice or given empty (oclif refuses a repeated one with a usage error).
 */
import { parseArgs } from 'node:util';
import { parseDuration } from './duration.js';
import { readData } from './data-source.js';
import { describeFailure, redact, type FailureContext } from './exit-codes.js';
import { renderBody, styleFor } from './output.js';
import { buildBody } from './payload.js';
import { configDir, describeSecretSource, requireSecret } from './secret.js';

const DEFAULT_SERVER = '127.0.0.1:7300';
const DEFAULT_TIMEOUT = '5s';

/** The flags that take a value; oclif refuses each of them given twice. */
const VALUE_FLAGS = new Set(['server', 'secret-file', 'timeout', 'data']);

/**
 * What oclif's boolean flags take as true from the environment: exactly its `isTruthy`
 * (@oclif/core lib/util/util.js), and an empty variable counts as unset.
 */
export function envIsTrue(value: string | undefined): boolean {
  return value !== undefined && value !== '' && ['1', 'true', 'y', 'yes'].includes(value.toLowerCase());
}

/**
 * Runs `send` with `args` (what follows the word `send`); resolves to the exit code, or
 * undefined to defer to oclif. The reply may still be on its way to stdout's reader: see
 * stdout-closed.ts for waiting on it.
 */
export async function fastSend(args: string[]): Promise<number | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        server: { type: 'string' },
        'secret-file': { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        data: { type: 'string', short: 'd' },
        encrypt: { type: 'boolean' },
      },
    });
  } catch {
    return undefined;
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length === 0) return undefined;
  // A repeated or empty value flag: let oclif give its usage error (or its reading of it).
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !VALUE_FLAGS.has(t.name)) continue;
    if (seen.has(t.name) || t.value === '') return undefined;
    seen.add(t.name);
  }
  const [name, ...assignments] = positionals;
  const json = values.json === true;
  // Like oclif's env flags, an empty BOTZ_SERVER counts as unset.
  const server = values.server ?? (process.env.BOTZ_SERVER || DEFAULT_SERVER);
  const ctx: FailureContext = { server, target: name, command: 'send' };
  let secret: string | undefined;
  try {
    const timeoutMs = parseDuration(values.timeout ?? DEFAULT_TIMEOUT);
    ctx.timeoutMs = timeoutMs;
    const data = values.data === undefined ? undefined : await readData(values.data);
    const body = buildBody(assignments, data);
    const source = await requireSecret({ secretFile: values['secret-file'], configDir: configDir(process.env) });
    secret = source.secret;
    ctx.secretSource = describeSecretSource(source);
    const { Client } = await import('../lib/component/client.js');
    const encrypt = values.encrypt === true || envIsTrue(process.env.BOTZ_ENCRYPT);
    // One deadline: connecting (at most the client's 3 s default) and the request share --timeout.
    const deadline = Date.now() + timeoutMs;
    const client = await Client.connect({ server, secret, timeoutMs, encrypt, oneShot: true });
    let reply;
    try {
      reply = await client.send(name, body, { timeout: Math.max(1, deadline - Date.now()) });
    } finally {
      await client.close();
    }
    process.stdout.write(json ? JSON.stringify(reply, null, 2) + '\n' : (await renderBody(reply, styleFor(process.stdout, false))) + '\n');
    return 0;
  } catch (error) {
    const f = describeFailure(error, ctx);
    if (json) process.stdout.write(JSON.stringify({ error: { code: f.code, message: redact(f.message, secret), exit: f.exit } }, null, 2) + '\n');
    process.stderr.write(`botz: ${redact(f.line, secret)}\n`);
    return f.exit;
  }
}
