/**
 * `--raw` beside the commands that print message bodies (send, tail, register), as `nats req
 * --raw` and `nats sub --raw`: stdout carries the bodies only, one line each, compact JSON (a
 * string bare, as `jq -r` prints it), so a pipeline reads them without picking them out of
 * event lines.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Body } from '../lib/wire/frames.js';
import { jsonOfBody } from './body-json.js';
import { rawBody } from './output.js';

/** The flag's help text, the same on every command. */
export const RAW_DESCRIPTION = 'print message bodies only, one line each: compact JSON (a string bare); everything else goes to stderr';

/** --raw prints bodies and --json prints records: a command can do one of them. */
export function checkRawWithJson(raw: boolean | undefined, json: boolean): void {
  if (raw && json) throw new BotzError(ErrorCode.INVALID_ARGUMENT, '--raw prints bodies only and --json prints whole records: use one of --raw and --json');
}

/** One body as its --raw line. */
export function rawLine(body: Body): string {
  return rawBody(jsonOfBody(body));
}

