/** Two rows of the edit-distance table, reused across calls and grown as needed. */
let previousRow = new Int32Array(64);
let currentRow = new Int32Array(64);

/** Edit distance (Levenshtein), bounded: returns `limit + 1` as soon as the distance exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  if (previousRow.length < width) {
    previousRow = new Int32Array(width * 2);
    currentRow = new Int32Array(width * 2);
  }
  let previous = previousRow;
  let current = currentRow;
  for (let j = 0; j < width; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const code = a.charCodeAt(i - 1);
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j < width; j++) {
      const cost = code === b.charCodeAt(j - 1) ? 0 : 1;
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    const swap = previous;
    previous = current;
    current = swap;
  }
  return previous[b.length];
}

/**
 * The known names closest to `name`, best first. A name qualifies when it is within roughly a third
 * of its length in edits, or when its last segment matches (`first_name` for `customer.first_name`).
 */
export function closestNames(name: string, known: Iterable<string>, max = 3): string[] {
  const lowered = name.toLowerCase();
  const lastSegment = lowered.slice(lowered.lastIndexOf('.') + 1);
  const scored: { name: string; score: number }[] = [];
  for (const candidate of known) {
    const lowerCandidate = candidate.toLowerCase();
    const limit = Math.max(2, Math.floor(Math.max(lowered.length, candidate.length) / 3));
    let score = editDistance(lowered, lowerCandidate, limit);
    if (score > limit) {
      const candidateLast = lowerCandidate.slice(lowerCandidate.lastIndexOf('.') + 1);
      if (candidateLast !== lastSegment) continue;
      score = limit;
    }
    scored.push({ name: candidate, score });
  }
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, max).map((entry) => entry.name);
}
