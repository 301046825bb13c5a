import { spawn } from 'node:child_process';
import { Flags } from '@oclif/core';
import { connectionFlags, timeoutFlag } from '../../cli/base-command.js';
import { MeshCommand, nodeArg } from '../../cli/mesh-command.js';

export default class MeshDot extends MeshCommand {
  static override summary = 'Print the mesh topology a node sees, in graphviz (or render it to PNG)';
  static override description =
    'Prints an undirected graphviz graph with every name quoted; the node asked is drawn filled. ' +
    '--png FILE renders it with `dot` (package graphviz) instead.';
  static override examples = ['<%= config.bin %> mesh dot n1 | dot -Tsvg > mesh.svg', '<%= config.bin %> mesh dot n1 --png mesh.png'];
  static override args = { node: nodeArg };
  static override flags = {
    ...connectionFlags,
    timeout: timeoutFlag,
    png: Flags.string({ helpValue: '<file>', description: 'render to this PNG file with graphviz `dot`' }),
  };

  async run(): Promise<{ dot: string; png?: string }> {
    const { args, flags } = await this.parse(MeshDot);
    this.failureContext.target = args.node;
    const dot = await this.withControl(args.node, flags, (ctl) => ctl.dot());
    if (flags.png === undefined) {
      if (!this.jsonEnabled()) process.stdout.write(dot);
      return { dot };
    }
    await renderPng(dot, flags.png);
    this.line(`wrote ${flags.png}`);
    return { dot, png: flags.png };
  }
}

/** Pipes the graph through `dot -Tpng`; a clear error when graphviz is not installed. */
function renderPng(dot: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('dot', ['-Tpng', '-o', file], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? // Exit 1, not 2: the command line was right, the machine lacks a program.
            new Error('graphviz is not installed (no `dot` on PATH): install the graphviz package, e.g. `apt-get install graphviz`, or pipe `botz mesh dot` into another renderer')
          : error,
      );
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dot failed (exit ${code}): ${stderr.trim()}`))));
    child.stdin.on('error', () => {}); // dot missing: the spawn error above says why
    child.stdin.end(dot);
  });
}
