/**
 * The human lines of `botz broadcast` and `botz shutdown`, shared with the REPL's verbs so both
 * print the same thing. Pure.
 */

/** What a broadcast reports: who got it, who ignored it, who failed. */
export interface BroadcastOutcome {
  delivered: string[];
  ignored: string[];
  failed: { name: string; error: { code: string; message: string } }[];
}

/** `delivered (2): a, b`, then ignored and failed lines when there are any. */
export function broadcastLines(result: BroadcastOutcome): string[] {
  const list = (names: string[]) => (names.length ? [...names].sort().join(', ') : '-');
  const lines = [`delivered (${result.delivered.length}): ${list(result.delivered)}`];
  if (result.ignored.length) lines.push(`ignored   (${result.ignored.length}): ${list(result.ignored)}`);
  for (const f of result.failed) lines.push(`failed    ${f.name}: ${f.error.code} ${f.error.message}`);
  return lines;
}

/** The component's answer to a shutdown request. */
export function shutdownLine(name: string, ready: boolean): string {
  return ready ? `${name}: ready, shutting down` : `${name}: not ready, refused to shut down`;
}
