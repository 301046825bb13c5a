/**
 * The payload grammar shared by `botz send`, `botz broadcast` and the REPL:
 *
 *   key=value     the string "value"
 *   key:=json     a typed value: key:=3, key:=true, key:='{"a":[1]}'
 *   --data @file  a JSON body read from a file     --data -  read from stdin
 *   --data JSON   an inline JSON body
 *
 * Assignments are applied over the `--data` object, so `--data @base.json retries:=3` works.
 * Everything here is pure; reading files and stdin lives in data-source.ts.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { Json } from '../lib/wire/frames.js';

/** Where `--data` said the body comes from. */
export type DataSpec = { kind: 'file'; path: string } | { kind: 'stdin' } | { kind: 'inline'; text: string };

function usage(message: string, details: Record<string, unknown> = {}): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, message, { details });
}

/** One `key=value` or `key:=json` token → [key, value]. */
export function parseAssignment(token: string): [string, Json] {
  const eq = token.indexOf('=');
  if (eq === -1) {
    throw usage(`"${token}" is not key=value or key:=json`, { token });
  }
  const typed = eq > 0 && token[eq - 1] === ':';
  const key = token.slice(0, typed ? eq - 1 : eq);
  const raw = token.slice(eq + 1);
  if (key === '') throw usage(`"${token}" has no key before the =`, { token });
  if (!typed) return [key, raw];
  try {
    return [key, JSON.parse(raw) as Json];
  } catch {
    throw usage(`the value of ${key}:= is not valid JSON: ${raw === '' ? '(empty)' : raw} (quote strings, e.g. ${key}:='"text"', or use ${key}=text)`, {
      token,
    });
  }
}

/** All assignments as one object; a repeated key keeps its last value. */
export function parseAssignments(tokens: readonly string[]): Record<string, Json> {
  const body: Record<string, Json> = {};
  for (const token of tokens) {
    const [key, value] = parseAssignment(token);
    // defineProperty, not `body[key] =`: `__proto__=x` must be a key like any other.
    Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return body;
}

/** What a `--data` argument names. */
export function parseDataSpec(spec: string): DataSpec {
  if (spec === '-') return { kind: 'stdin' };
  if (spec.startsWith('@')) {
    const path = spec.slice(1);
    if (path === '') throw usage('--data @ needs a file name, e.g. --data @body.json');
    return { kind: 'file', path };
  }
  return { kind: 'inline', text: spec };
}

/** Parse the JSON text `--data` produced; `source` names it in the error ("stdin", "body.json"). */
export function parseDataText(text: string, source: string): Json {
  if (text.trim() === '') throw usage(`--data ${source} is empty; it must hold a JSON body`, { source });
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw usage(`--data ${source} is not valid JSON (${(e as Error).message})`, { source });
  }
}

/**
 * The body to send: the `--data` value (if any) with the assignments laid over it.
 * With neither, the body is `{}`. Assignments over a non-object body are a usage error.
 */
export function buildBody(assignments: readonly string[], data?: Json): Json {
  const assigned = parseAssignments(assignments);
  if (data === undefined) return assigned;
  if (assignments.length === 0) return data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw usage('key=value arguments can only be added to a --data body that is a JSON object');
  }
  return { ...data, ...assigned };
}
