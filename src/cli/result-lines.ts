/**
 * The human lines of `botz broadcast` and `botz shutdown`, shared with the REPL's verbs so both
 * print the same thing, and a broadcast's exit code. Pure.
 */
import { ExitCode } from './exit-codes.js';

/** What a broadcast reports: who got it, who ignored it, who failed. */
export interface BroadcastOutcome {
  delivered: string[];
  ignored: string[];
  failed: { name: string; error: { code: string; message: string } }[];
}

/** `delivered (2): a, b`, then ignored and failed lines when there are any. */
export function broadcastLines(result: BroadcastOutcome, group?: string): string[] {
  const list = (names: string[]) => (names.length ? [...names].sort().join(', ') : '-');
  if (addressed(result) === 0) return [`delivered (0): - (no ready component${group === undefined ? '' : ` in group "${group}"`})`];
  const lines = [`delivered (${result.delivered.length}): ${list(result.delivered)}`];
  if (result.ignored.length) lines.push(`ignored   (${result.ignored.length}): ${list(result.ignored)}`);
  for (const f of result.failed) lines.push(`failed    ${f.name}: ${f.error.code} ${f.error.message}`);
  return lines;
}

/**
 * 0 when every component addressed took the broadcast (or ignores broadcasts); 1 when some
 * failed (the lines say who and why); 3 when there was nobody to send it to, as for a send to
 * a name nobody has.
 */
export function broadcastExit(result: BroadcastOutcome): ExitCode {
  if (result.failed.length > 0) return ExitCode.ERROR;
  return addressed(result) === 0 ? ExitCode.NOT_FOUND : ExitCode.OK;
}

function addressed(result: BroadcastOutcome): number {
  return result.delivered.length + result.ignored.length + result.failed.length;
}

/** The component's answer to a shutdown request. */
export function shutdownLine(name: string, ready: boolean): string {
  return ready ? `${name}: ready, shutting down` : `${name}: not ready, refused to shut down`;
}
