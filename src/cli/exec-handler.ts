/**
 * `botz register --exec CMD`: run CMD once per request, body as JSON on stdin, reply as the JSON
 * it prints. A failing CMD becomes a RemoteError carrying its stderr, which the caller sees as
 * exit code 5.
 */
import { spawn } from 'node:child_process';
import { RemoteError } from '../lib/errors.js';
import type { Json } from '../lib/wire/frames.js';

/** How much of a failing command's stderr travels back to the caller. */
const MAX_STDERR_CHARS = 2_000;

export interface ExecContext {
  /** The sender's name, given to CMD as env BOTZ_FROM. */
  from: string;
  kind: string;
}

/** Run `command` through the shell with `body` on stdin; resolve with the JSON it printed. */
export function runExecHandler(command: string, body: Json, ctx: ExecContext, env: NodeJS.ProcessEnv = process.env): Promise<Json> {
  // The handler is arbitrary code: it never inherits the network's secret.
  const { BOTZ_SECRET: _secret, ...childEnv } = env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...childEnv, BOTZ_FROM: ctx.from, BOTZ_KIND: ctx.kind } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new RemoteError(`cannot run handler: ${e.message}`, { cause: e })));
    // A handler that ignores stdin closes it early; that is not a failure.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(body) + '\n');
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim().slice(-MAX_STDERR_CHARS);
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new RemoteError(`handler ${how}${stderr ? `: ${stderr}` : ''}`, { details: { exitCode: code, stderr } }));
        return;
      }
      const stdout = Buffer.concat(out).toString('utf8').trim();
      if (stdout === '') return resolve(null);
      try {
        resolve(JSON.parse(stdout) as Json);
      } catch {
        reject(new RemoteError(`handler printed something that is not JSON: ${stdout.slice(0, 200)}`, { details: { stdout: stdout.slice(0, 200) } }));
      }
    });
  });
}
