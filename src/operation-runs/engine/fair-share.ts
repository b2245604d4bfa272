/**
 * Fair share between runs: each slot goes to the run with the least work here (in flight, waiting,
 * and the slots already given in this share-out), the first of equals first. An operation of ten
 * tenants started after one of ten thousand gets its slots at once, not after the big one.
 */
export function shareOut<Run>(
  runs: readonly Run[],
  keyOf: (run: Run) => string,
  loadOf: (run: Run) => number,
  slots: number,
): Map<string, number> {
  const shares = new Map<string, number>(runs.map((run) => [keyOf(run), 0]));
  if (runs.length === 0) return shares;
  const loads = runs.map(loadOf);
  for (let slot = 0; slot < slots; slot += 1) {
    let chosen = 0;
    for (let index = 1; index < runs.length; index += 1) {
      if (loads[index] < loads[chosen]) chosen = index;
    }
    loads[chosen] += 1;
    const key = keyOf(runs[chosen]);
    shares.set(key, shares.get(key)! + 1);
  }
  return shares;
}

/** The key whose load is least (the first of equals), or nothing if there are none. */
export function leastLoaded(
  keys: Iterable<string>,
  loadOf: (key: string) => number,
): string | undefined {
  let chosen: string | undefined;
  let least = Number.MAX_SAFE_INTEGER;
  for (const key of keys) {
    const load = loadOf(key);
    if (load < least) {
      least = load;
      chosen = key;
    }
  }
  return chosen;
}
