/**
 * What `botz mesh ...`, `botz send --via` and `botz tail --via` share: NODE (a name the server
 * knows, or `host:port`) turned into a control link to that mesh node.
 */
import { Args } from '@oclif/core';
import type { MeshControlClient } from '../lib/mesh/mesh-control-client.js';
import { BotzCommand, type ConnectionFlags } from './base-command.js';
import { meshAddressOf } from './mesh-target.js';

/** The NODE argument of every `botz mesh` command. */
export const nodeArg = Args.string({
  required: true,
  ignoreStdin: true,
  description: 'mesh node: a component name the server knows, or host:port of its mesh listener',
});

export abstract class MeshCommand extends BotzCommand {
  /**
   * A control link to NODE. A name is resolved through the server (its registered meta.mesh);
   * an address needs no server. Throws NO_SUCH_COMPONENT, NO_ROUTE (not a mesh node),
   * SERVER_UNREACHABLE (nobody at the address) or AUTH_FAILED.
   */
  protected async control(node: string, flags: ConnectionFlags & { timeout?: number }): Promise<MeshControlClient> {
    const secret = await this.secretFor(flags);
    const address = await meshAddressOf(node, async () => {
      const client = await this.connect(flags, flags.timeout);
      try {
        return await client.components({ timeout: this.timeLeft() });
      } finally {
        await client.close();
      }
    });
    // From here on, failures are about the mesh node, not the server.
    this.failureContext.server = address;
    this.failureContext.peer = 'mesh node';
    const { MeshControlClient } = await import('../lib/mesh/mesh-control-client.js');
    return MeshControlClient.connect({ address, secret, timeoutMs: flags.timeout });
  }

  /** Runs `fn` with a control link to NODE and closes it whatever happens. */
  protected async withControl<T>(node: string, flags: ConnectionFlags & { timeout?: number }, fn: (ctl: MeshControlClient) => Promise<T>): Promise<T> {
    const ctl = await this.control(node, flags);
    try {
      return await fn(ctl);
    } finally {
      await ctl.close();
    }
  }
}
