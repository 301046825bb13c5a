/**
 * The layering the code relies on, checked on the sources: src/lib imports neither oclif nor
 * anything outside src/lib; nothing
 * the fast path (`botz send`) can load imports oclif; no module of src imports itself through
 * others, not even through types (a circle of types is a circle of concepts); no source file is
 * over 400 lines; only the ws transport (and the benchmark's plain-ws baseline) imports ws.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './e2e/harness.js';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Imports {
  /** Modules of src this one loads when it loads (value imports). */
  static: string[];
  /** Modules of src it may load later (`await import(...)`). */
  dynamic: string[];
  /** Modules of src it names for their types only (gone once compiled, still a dependency of the idea). */
  types: string[];
  /** Packages it names (either way). */
  packages: string[];
}

/** What a source file imports; `import type` and all-type `import { type A }` do not count. */
function importsOf(file: string): Imports {
  const text = readFileSync(file, 'utf8');
  const out: Imports = { static: [], dynamic: [], types: [], packages: [] };
  const add = (spec: string, kind: 'static' | 'dynamic' | 'types') => {
    if (spec.startsWith('.')) out[kind].push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    else out.packages.push(spec);
  };
  for (const m of text.matchAll(/^\s*(import|export)\s+([^;]*?)\s+from\s+['"]([^'"]+)['"]/gms)) {
    const clause = m[2];
    const typeOnly = /^type\s/.test(clause) || (/^\{[^}]*\}$/.test(clause) && clause.slice(1, -1).split(',').every((s) => s.trim() === '' || s.trim().startsWith('type ')));
    add(m[3], typeOnly ? 'types' : 'static');
  }
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) add(m[1], 'static');
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) add(m[1], 'dynamic');
  return out;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(SRC, f);

describe('layers', () => {
  it('src/lib never imports oclif, nor the CLI, the REPL or the commands', () => {
    const lib = files.filter((f) => rel(f).startsWith('lib/'));
    expect(lib.filter((f) => graph.get(f)!.packages.some((p) => p.startsWith('@oclif/'))).map(rel)).toEqual([]);
    const outside = lib.flatMap((f) => [...graph.get(f)!.static, ...graph.get(f)!.dynamic].filter((d) => !rel(d).startsWith('lib/')).map((d) => `${rel(f)} → ${rel(d)}`));
    expect(outside).toEqual([]);
  });

  it('nothing the fast path can load imports oclif', () => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      const i = graph.get(f);
      if (!i) throw new Error(`${rel(f)} is imported but not in src`);
      for (const d of [...i.static, ...i.dynamic]) visit(d);
    };
    visit(join(SRC, 'cli', 'fast-send.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter((f) => graph.get(f)!.packages.some((p) => p.startsWith('@oclif/'))).map(rel)).toEqual([]);
  });

  it('no import circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (f: string) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') return void circles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' → '));
      state.set(f, 'open');
      path.push(f);
      for (const d of [...(graph.get(f)?.static ?? []), ...(graph.get(f)?.types ?? [])]) visit(d);
      path.pop();
      state.set(f, 'done');
    };
    files.forEach(visit);
    expect(circles).toEqual([]);
  });

  it('no source file over 400 lines', () => {
    const long = files.map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  it('only the ws transport imports ws', () => {
    // The benchmark's baseline is a plain ws echo: measuring against ws is its job.
    expect(files.filter((f) => graph.get(f)!.packages.includes('ws')).map(rel)).toEqual(['lib/bench/raw-ws.ts', 'lib/transport/ws.ts']);
  });
});
