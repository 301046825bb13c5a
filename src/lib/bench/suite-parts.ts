/**
 * Which parts of the benchmark suite run, and where its results go: `BENCH_ONLY=part,part`
 * reruns some parts alone; results land in an untracked file (bench/out/, git-ignored, or
 * `--out FILE`), so a run never rewrites a tracked file. Pure, so the suite's command line is
 * tested without running it.
 */

/** Every part of `npm run bench`, in the order it runs. */
export const SUITE_PARTS = ['requests', 'bodies', 'limits', 'broadcast', 'reliable', 'registration', 'oneshot', 'mesh', 'nats', 'moleculer'] as const;

export type SuitePart = (typeof SUITE_PARTS)[number];

/**
 * The parts named in a BENCH_ONLY value (comma or space separated), or all of them when it is
 * unset or empty. An unknown name throws, naming the known ones: a typo must not run nothing.
 */
export function selectParts(only: string | undefined): Set<SuitePart> {
  const names = (only ?? '')
    .split(/[\s,]+/)
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) return new Set(SUITE_PARTS);
  const unknown = names.filter((n) => !(SUITE_PARTS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new RangeError(`unknown benchmark part${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in BENCH_ONLY (parts: ${SUITE_PARTS.join(', ')})`);
  return new Set(names as SuitePart[]);
}

/**
 * Where the results file goes: the value of `--out FILE` (or `--out=FILE`) in `argv`, else
 * `bench/out/results-<date>.json` under `root`, the date from `now` with colons made safe.
 */
export function resultsPath(argv: readonly string[], root: string, now: Date): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      const file = argv[i + 1];
      if (!file || file.startsWith('--')) throw new RangeError('--out needs a file name');
      return file;
    }
    if (argv[i].startsWith('--out=')) return argv[i].slice('--out='.length);
  }
  const stamp = now.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  return `${root}/bench/out/results-${stamp}.json`;
}
