/**
 * What Botzilla v1 payloads mean, pure: the registry's opcodes and the JSON string maps that
 * components exchange, written byte for byte as the original Go programs write them.
 *
 *   opcode 0  register  {"name":"<name>","port":"<port>"}  → "registered"
 *   opcode 2  lookup    <name, raw bytes>                  → "host:port"
 *   opcode 69 list      (empty)                            → ["a","b"] or null
 *   other               → an empty reply
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Body } from '../wire/frames.js';

export const Opcode = { REGISTER: 0, LOOKUP: 2, LIST: 69 } as const;

/** The meta key that marks a botz entry as a Botzilla component; its value is the component's v1 address. */
export const BOTZILLA_META = 'botzilla';

export type RegistryOp =
  | { op: 'register'; name: string; port: string }
  | { op: 'lookup'; name: string }
  | { op: 'list' }
  | { op: 'unknown'; opcode: number };

/** A string map: the only body a Botzilla component sends or understands. */
export type StringMap = Record<string, string>;

function malformed(message: string): BotzError {
  return new BotzError(ErrorCode.MALFORMED_FRAME, message);
}

const PORT = /^[0-9]{1,5}$/;

/** The operation a registry request's payload asks for. Throws MALFORMED_FRAME. */
export function parseRegistryRequest(payload: Buffer): RegistryOp {
  if (payload.length === 0) throw malformed('a Botzilla registry request without an opcode');
  const body = payload.subarray(1);
  switch (payload[0]) {
    case Opcode.REGISTER: {
      const fields = parseStringMap(body);
      const { name, port } = fields;
      if (typeof name !== 'string' || typeof port !== 'string') throw malformed('a Botzilla register needs a string name and a string port');
      if (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535) throw malformed(`a Botzilla register with port "${port.slice(0, 20)}"`);
      return { op: 'register', name, port };
    }
    case Opcode.LOOKUP:
      return { op: 'lookup', name: body.toString('utf8') };
    case Opcode.LIST:
      return { op: 'list' };
    default:
      return { op: 'unknown', opcode: payload[0] };
  }
}

/** The payload of a registry request (what a Botzilla client sends). */
export function encodeRegistryRequest(op: RegistryOp): Buffer {
  switch (op.op) {
    case 'register':
      return Buffer.concat([Buffer.from([Opcode.REGISTER]), encodeStringMap({ name: op.name, port: op.port })]);
    case 'lookup':
      return Buffer.concat([Buffer.from([Opcode.LOOKUP]), Buffer.from(op.name, 'utf8')]);
    case 'list':
      return Buffer.from([Opcode.LIST]);
    case 'unknown':
      return Buffer.from([op.opcode]);
  }
}

/** The reply to register. */
export const REGISTERED = Buffer.from('registered');

/** The reply to list: Go's json.Marshal of a []string, which is `null` when there is none. */
export function listReplyBody(names: readonly string[]): Buffer {
  return Buffer.from(names.length === 0 ? 'null' : `[${names.map(goJsonString).join(',')}]`);
}

/** A JSON object of string values. Throws MALFORMED_FRAME on anything else (as Go's Unmarshal into a map[string]string fails). */
export function parseStringMap(bytes: Buffer): StringMap {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed('a Botzilla message that is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed('a Botzilla message that is not a JSON object');
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw malformed('a Botzilla message with a value that is not a string');
  }
  return value as StringMap;
}

/** A string map as Go's json.Marshal writes it: keys in byte order, HTML characters escaped. */
export function encodeStringMap(map: StringMap): Buffer {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Buffer.from(`{${keys.map((k) => `${goJsonString(k)}:${goJsonString(map[k])}`).join(',')}}`);
}

/** A JSON string as Go writes it: JSON.stringify's escapes, plus <, >, &, U+2028 and U+2029 as \u escapes. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A botz body as the string map a Botzilla component can take: string values as they are,
 * any other value as its JSON text; no body is `{}`, and a body that is not an object is
 * `{"body": <its JSON text>}`.
 */
export function toStringMap(body: Body | undefined): StringMap {
  if (body === null || body === undefined) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return { body: JSON.stringify(body) };
  const out: StringMap = {};
  for (const [k, v] of Object.entries(body)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}
