/**
 * "Did you mean": the known word nearest a mistyped one, for unknown commands and REPL verbs.
 * Pure; the distance is Damerau-Levenshtein (optimal string alignment), so a swapped pair of
 * letters (`sned`) costs one edit, as people type it.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate nearest `word`, if it is near enough to be a typo (at most a third of its
 * letters wrong, and at least one allowed), or one that starts with it; ties go to the first.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const prefixed = candidates.filter((c) => c.startsWith(typed));
  if (typed.length >= 2 && prefixed.length === 1) return prefixed[0];
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed, name.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
