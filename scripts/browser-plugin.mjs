// The esbuild plugin that builds the library for browsers: the same source files, with the
// few Node modules they name replaced by the browser's counterparts in src/lib/browser/ — the
// WebSocket transport instead of transport/ws.ts, WebCrypto and a synchronous SHA-256 instead
// of node:crypto, a Uint8Array-based Buffer — so the protocol code is shared, not forked.
import { join } from 'node:path';

const SHIMS = {
  'node:crypto': 'node-crypto.ts',
  'node:events': 'node-events.ts',
  'node:os': 'node-stubs.ts',
  'node:fs': 'node-stubs.ts',
  'node:net': 'node-stubs.ts',
  'node:dgram': 'node-stubs.ts',
  'node:module': 'node-module.ts',
  'node:http': 'node-stubs.ts',
  'node:stream': 'node-stubs.ts',
  'node:tls': 'node-stubs.ts',
};

export function browserPlugin(root) {
  const dir = join(root, 'src/lib/browser');
  return {
    name: 'botz-browser',
    setup(build) {
      build.onResolve({ filter: /^node:/ }, (args) => {
        const shim = SHIMS[args.path];
        if (!shim) return { errors: [{ text: `${args.path} (imported by ${args.importer}) has no browser counterpart` }] };
        return { path: join(dir, shim) };
      });
      // The one transport: the browser's WebSocket in place of the ws package.
      build.onResolve({ filter: /\/transport\/ws\.js$|^\.\/ws\.js$/ }, (args) => {
        if (args.importer.startsWith(dir)) return undefined;
        return { path: join(dir, 'browser-transport.ts') };
      });
    },
  };
}
