/** The store a `--store` URL names: `memory` (this server alone, the default) or `redis://host:port[/db]`. */
import { BotzError, ErrorCode } from '../../errors.js';
import { RedisStore } from './redis-store.js';
import type { RegistryStore } from './store.js';

/** The store for `url`; undefined for `memory` (the server keeps its registry to itself). Throws INVALID_ARGUMENT. */
export function storeFromUrl(url: string | undefined): RegistryStore | undefined {
  if (url === undefined || url === '' || url === 'memory') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url);
  }
  if ((parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '' || !/^(\/\d*)?$/.test(parsed.pathname)) throw invalid(url);
  return new RedisStore({ url });
}

function invalid(url: string): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, `"${url}" is not a store: use memory or redis://host:port[/db]`, { details: { store: url } });
}
