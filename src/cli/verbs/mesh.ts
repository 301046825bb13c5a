/**
 * `mesh routes|dot|status|dial|hangup NODE ...`: inspect and steer one mesh node through its
 * control link. NODE is a component name the server knows, or the host:port of a mesh listener
 * (mesh-target.ts).
 */
import type { MeshStatus } from '../../lib/mesh/mesh-status.js';
import type { Route } from '../../lib/mesh/routing.js';
import { renderPng } from '../graphviz.js';
import { renderRoutes, renderStatus } from '../mesh-lines.js';
import { defineVerb } from '../verb.js';
import { nodeArg, timeoutFlag } from './flags.js';

/** What the oclif topic and the REPL's `help` say of the mesh verbs together. */
export const MESH_TOPIC = 'inspect and steer a mesh node: routes, dot, status, dial, hangup';

export const meshRoutesVerb = defineVerb({
  name: 'mesh routes',
  summary: "Show a mesh node's routing table",
  description: 'One row per reachable destination: the next hop, the number of hops and the whole path.',
  examples: ['<%= config.bin %> mesh routes n1', '<%= config.bin %> mesh routes 127.0.0.1:7411 --json'],
  args: { node: nodeArg },
  flags: { timeout: timeoutFlag },
  failure: ({ args }) => ({ target: args.node }),
  run: (ctx, { args, flags }): Promise<Route[]> => ctx.withControl(args.node, flags.timeout, (ctl) => ctl.routes()),
  render: (routes) => renderRoutes(routes),
});

export const meshDotVerb = defineVerb({
  name: 'mesh dot',
  summary: 'Print the mesh topology a node sees, in graphviz (or render it to PNG)',
  description:
    'Prints an undirected graphviz graph with every name quoted; the node asked is drawn filled. ' +
    '--png FILE renders it with `dot` (package graphviz) instead.',
  examples: ['<%= config.bin %> mesh dot n1 | dot -Tsvg > mesh.svg', '<%= config.bin %> mesh dot n1 --png mesh.png'],
  args: { node: nodeArg },
  flags: {
    timeout: timeoutFlag,
    png: { type: 'string', helpValue: '<file>', description: 'render to this PNG file with graphviz `dot`' },
  },
  failure: ({ args }) => ({ target: args.node }),

  async run(ctx, { args, flags }): Promise<{ dot: string; png?: string }> {
    const dot = await ctx.withControl(args.node, flags.timeout, (ctl) => ctl.dot());
    if (flags.png === undefined) return { dot };
    await renderPng(dot, flags.png);
    return { dot, png: flags.png };
  },

  // The graph ends in a newline of its own; the line printed adds one.
  render: ({ dot, png }) => (png === undefined ? dot.trimEnd() : `wrote ${png}`),
});

export const meshStatusVerb = defineVerb({
  name: 'mesh status',
  summary: "Show a mesh node's links, degree, announcement period and counters",
  examples: ['<%= config.bin %> mesh status n1', '<%= config.bin %> mesh status 127.0.0.1:7411 --json'],
  args: { node: nodeArg },
  flags: { timeout: timeoutFlag },
  failure: ({ args }) => ({ target: args.node }),
  run: (ctx, { args, flags }): Promise<MeshStatus> => ctx.withControl(args.node, flags.timeout, (ctl) => ctl.status()),
  render: (status) => renderStatus(status, Date.now()),
});

export const meshDialVerb = defineVerb({
  name: 'mesh dial',
  summary: 'Make a mesh node link to another mesh node (and keep the link up)',
  description: 'Dialing ignores the namespace. Prints the name of the node reached.',
  examples: ['<%= config.bin %> mesh dial n1 127.0.0.1:7413'],
  args: { node: nodeArg, address: { required: true, description: 'host:port of the mesh node to dial' } },
  flags: { timeout: timeoutFlag },
  failure: ({ args }) => ({ target: args.node }),

  async run(ctx, { args, flags }): Promise<{ node: string; peer: string; address: string }> {
    const peer = await ctx.withControl(args.node, flags.timeout, (ctl) => ctl.dial(args.address));
    return { node: args.node, peer, address: args.address };
  },

  render: ({ node, peer, address }) => `${node} linked to ${peer} at ${address}`,
});

export const meshHangupVerb = defineVerb({
  name: 'mesh hangup',
  summary: 'Make a mesh node drop its link to a peer, for good (no redial)',
  examples: ['<%= config.bin %> mesh hangup n1 n3', '<%= config.bin %> mesh hangup n1 127.0.0.1:7413'],
  args: { node: nodeArg, peer: { required: true, description: 'the peer: its name or host:port' } },
  flags: { timeout: timeoutFlag },
  failure: ({ args }) => ({ target: args.node }),

  async run(ctx, { args, flags }): Promise<{ node: string; hungUp: string }> {
    await ctx.withControl(args.node, flags.timeout, (ctl) => ctl.hangup(args.peer));
    return { node: args.node, hungUp: args.peer };
  },

  render: ({ node, hungUp }) => `${node} hung up on ${hungUp}`,
});

/** The mesh verbs, in the order `help` lists them. */
export const MESH_VERBS = [meshRoutesVerb, meshDotVerb, meshStatusVerb, meshDialVerb, meshHangupVerb];
