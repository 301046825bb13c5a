/**
 * `node:module` for the browser build. The codec loads MessagePack lazily through
 * `createRequire` (a JSON-only node never pays for it); here the package is bundled, so the
 * page speaks MessagePack too: binary bodies and MessagePack links work as they do in Node.
 */
import * as msgpack from '@msgpack/msgpack';

const BUNDLED: Record<string, unknown> = { '@msgpack/msgpack': msgpack };

export function createRequire(): (id: string) => unknown {
  return (id: string) => {
    if (id in BUNDLED) return BUNDLED[id];
    throw new Error(`loading ${id} is not available in the browser build`);
  };
}
