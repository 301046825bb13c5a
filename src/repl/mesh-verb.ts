/**
 * The REPL's `mesh` verb: `mesh routes|dot|status NODE`, `mesh dial NODE ADDR`,
 * `mesh hangup NODE NAME|ADDR`, each with `--json`, doing what `botz mesh ...` does and printing
 * the same text. NODE is a component name (found through the server) or `host:port`.
 */
import { BotzError, ErrorCode } from '../lib/errors.js';
import type { ComponentInfo } from '../lib/wire/frames.js';
import { meshAddressOf } from '../cli/mesh-target.js';
import { renderRoutes, renderStatus } from '../cli/mesh-lines.js';

export const MESH_SUBVERBS = ['routes', 'dot', 'status', 'dial', 'hangup'] as const;

export interface MeshVerbDeps {
  /** The shared secret: the REPL's own, since the mesh node must trust us like the server does. */
  secret: string | undefined;
  components(): Promise<ComponentInfo[]>;
  timeoutMs?: number;
}

function usage(message: string): BotzError {
  return new BotzError(ErrorCode.INVALID_ARGUMENT, `${message}; usage: mesh routes|dot|status NODE, mesh dial NODE ADDR, mesh hangup NODE NAME|ADDR [--json]`);
}

/** Runs one `mesh ...` line (its words after `mesh`); returns the text to print. */
export async function runMeshVerb(words: readonly string[], deps: MeshVerbDeps): Promise<string> {
  const json = words.includes('--json');
  const [sub, node, arg, ...extra] = words.filter((w) => w !== '--json');
  if (!(MESH_SUBVERBS as readonly string[]).includes(sub ?? '')) throw usage(`unknown mesh verb "${sub ?? ''}"`);
  if (!node) throw usage(`mesh ${sub} needs a NODE`);
  const needsArg = sub === 'dial' || sub === 'hangup';
  if (needsArg !== (arg !== undefined) || extra.length > 0) throw usage(`wrong arguments for mesh ${sub}`);
  if (!deps.secret) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'mesh needs the shared secret, which this REPL session does not hold');
  const address = await meshAddressOf(node, deps.components);
  const { MeshControlClient } = await import('../lib/mesh/mesh-control-client.js');
  const ctl = await MeshControlClient.connect({ address, secret: deps.secret, timeoutMs: deps.timeoutMs });
  try {
    switch (sub) {
      case 'routes': {
        const routes = await ctl.routes();
        return json ? JSON.stringify(routes, null, 2) : renderRoutes(routes);
      }
      case 'dot': {
        const dot = await ctl.dot();
        return json ? JSON.stringify({ dot }, null, 2) : dot.trimEnd();
      }
      case 'status': {
        const status = await ctl.status();
        return json ? JSON.stringify(status, null, 2) : renderStatus(status, Date.now());
      }
      case 'dial': {
        const peer = await ctl.dial(arg!);
        return json ? JSON.stringify({ node, peer, address: arg }, null, 2) : `${node} linked to ${peer} at ${arg}`;
      }
      default: {
        await ctl.hangup(arg!);
        return json ? JSON.stringify({ node, hungUp: arg }, null, 2) : `${node} hung up on ${arg}`;
      }
    }
  } finally {
    await ctl.close();
  }
}
