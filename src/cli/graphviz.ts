/** Rendering a graph to PNG with graphviz's `dot`, for `botz mesh dot --png`. */
import { spawn } from 'node:child_process';

/** Pipes the graph through `dot -Tpng`; a clear error when graphviz is not installed. */
export function renderPng(dot: string, file: string): Promise<void> {
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
