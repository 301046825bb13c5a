/**
 * The flags and arguments several verbs share, defined once. The connection flags are every
 * network command's (the REPL, joined already, has none of them); the rest are spread into the
 * verbs that take them.
 */
import { DEFAULT_SERVER } from '../../lib/registry/defaults.js';
import type { ArgSpec, BooleanFlag, DurationFlag, StringFlag } from '../verb.js';

/** How long a one-shot command waits for an answer unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/** --server, --secret-file and --encrypt: how a one-shot command reaches the network. */
export const CONNECTION_FLAGS = {
  server: {
    type: 'string',
    env: 'BOTZ_SERVER',
    default: DEFAULT_SERVER,
    helpValue: '<host:port>',
    description: 'address of the botz server',
    helpGroup: 'CONNECTION',
  },
  'secret-file': {
    type: 'string',
    // Also what a context's secret file arrives as (context-env.ts).
    env: 'BOTZ_SECRET_FILE',
    helpValue: '<path>',
    description: 'file holding the shared secret (default: env BOTZ_SECRET, else the secret `botz serve` created)',
    helpGroup: 'CONNECTION',
  },
  encrypt: {
    type: 'boolean',
    env: 'BOTZ_ENCRYPT',
    default: false,
    description: 'encrypt payloads on our links (AES-256 under a key derived from the secret); links are always authenticated',
    helpGroup: 'CONNECTION',
  },
} as const satisfies Record<string, StringFlag | BooleanFlag>;

/** The connection flags as parsed. */
export interface Connection {
  server: string;
  'secret-file'?: string;
  encrypt: boolean;
}

/** --timeout, for verbs that wait for an answer. */
export const timeoutFlag = {
  type: 'duration',
  default: DEFAULT_TIMEOUT_MS,
  description: 'how long to wait for an answer, e.g. 500ms, 5s, 2m',
} as const satisfies DurationFlag;

/** --data: the body, where `key=value` words are not enough. */
export const dataFlag = {
  type: 'string',
  char: 'd',
  helpValue: '@file|-|json',
  description: 'JSON body: @file, - for stdin, or inline JSON',
} as const satisfies StringFlag;

/** --group: only the members of one group. */
export const groupFlag = {
  type: 'string',
  char: 'g',
  description: 'only the members of this group',
} as const satisfies StringFlag;

/** -H: headers to send with the message (headers.ts reads them). */
export const headerFlag = {
  type: 'string',
  char: 'H',
  multiple: true,
  helpValue: '<key:value>',
  description: 'a header to send with the message, KEY:VALUE (repeatable)',
} as const satisfies StringFlag;

/** `key=value` / `key:=json` words: the payload grammar of payload.ts. */
export const payloadArg = {
  rest: true,
  description: 'key=value (string) or key:=json (typed), repeated',
} as const satisfies ArgSpec;

/** NODE of the mesh verbs. */
export const nodeArg = {
  required: true,
  // Mesh nodes are components the server knows, so completion offers those.
  names: 'component',
  description: 'mesh node: a component name the server knows, or host:port of its mesh listener',
} as const satisfies ArgSpec;
