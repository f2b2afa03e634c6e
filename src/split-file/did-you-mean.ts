// "Did you mean …?" for misspelt field names, enum values and location names.
//
// Distance is the (unrestricted) Damerau-Levenshtein distance: insertions, deletions, substitutions
// and transpositions of adjacent characters each cost 1, so `endpiont` is one edit from `endpoint`.

/** Longer words are not compared: nobody misspells a 200-character key, and the cost is quadratic. */
const MAX_COMPARED_LENGTH = 64;

export function damerauLevenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const maxDistance = a.length + b.length;
  const width = b.length + 2;
  // d[(i + 1) * width + (j + 1)] is the distance between a[0..i) and b[0..j); row/column 0 hold the
  // sentinel maxDistance (Lowrance & Wagner's formulation).
  const d = new Array<number>((a.length + 2) * width).fill(0);
  const at = (i: number, j: number): number => d[(i + 1) * width + (j + 1)] ?? maxDistance;
  const set = (i: number, j: number, value: number): void => {
    d[(i + 1) * width + (j + 1)] = value;
  };
  set(-1, -1, maxDistance);
  for (let i = 0; i <= a.length; i++) {
    set(i, -1, maxDistance);
    set(i, 0, i);
  }
  for (let j = 0; j <= b.length; j++) {
    set(-1, j, maxDistance);
    set(0, j, j);
  }
  const lastRowOf = new Map<string, number>();
  for (let i = 1; i <= a.length; i++) {
    let lastMatchingColumn = 0;
    for (let j = 1; j <= b.length; j++) {
      const i1 = lastRowOf.get(b[j - 1] as string) ?? 0;
      const j1 = lastMatchingColumn;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      if (cost === 0) lastMatchingColumn = j;
      set(
        i,
        j,
        Math.min(
          at(i - 1, j - 1) + cost,
          at(i, j - 1) + 1,
          at(i - 1, j) + 1,
          at(i1 - 1, j1 - 1) + (i - i1 - 1) + 1 + (j - j1 - 1),
        ),
      );
    }
    lastRowOf.set(a[i - 1] as string, i);
  }
  return at(a.length, b.length);
}

/** Case, `_` and `-` do not matter when guessing: `access_key_id_env` means `accessKeyIdEnv`. */
function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most one edit
 * for short words, about one edit in three characters for longer ones.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length === 0 || word.length > MAX_COMPARED_LENGTH) return undefined;
  const normalized = normalize(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === word || candidate.length > MAX_COMPARED_LENGTH) continue;
    const distance = damerauLevenshtein(normalized, normalize(candidate));
    const allowed = Math.max(1, Math.floor(Math.max(word.length, candidate.length) / 3));
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
