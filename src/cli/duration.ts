/**
 * Durations on the command line: `500ms`, `5s`, `2m`, `1h`, `1.5s`; a bare number is milliseconds.
 * Pure, so the REPL parses `--timeout` exactly as the commands do.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Milliseconds in `text`; throws INVALID_ARGUMENT (exit 2) for anything else. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `"${text}" is not a duration; write it like 500ms, 5s or 2m`, {
      details: { value: text },
    });
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] ?? 'ms'];
  return Math.round(ms);
}

/** `1500` → `1.5s`, `250` → `250ms`: how durations are shown back to people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toFixed(ms < 10 ? 2 : 0))}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}
