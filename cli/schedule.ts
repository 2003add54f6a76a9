/**
 * Stack ordering for the commands that run terraform on every stack: each stack runs as soon as the
 * stacks it waits for are done, independent stacks in parallel (up to a limit), and a failure stops
 * what waits for it.
 */

/** Stack dependencies from the synth manifest. */
export type Dependencies = ReadonlyMap<string, readonly string[]>;

export function dependenciesOf(manifest: { stacks: Record<string, { dependencies?: string[] }> }): Dependencies {
  return new Map(Object.entries(manifest.stacks).map(([name, s]) => [name, s.dependencies ?? []]));
}

/**
 * Runs `run` on every stack, each as soon as the stacks it waits for are done: for an apply, its
 * dependencies; for a destroy, the stacks that depend on it. A failure stops what waits for it.
 */
export async function schedule(deps: Dependencies, order: "apply" | "destroy", run: (stack: string) => Promise<boolean>, parallel = Infinity): Promise<boolean> {
  const limit = slots(parallel);
  const waitsFor = new Map<string, string[]>(
    [...deps.keys()].map((stack) => [stack, order === "apply" ? [...deps.get(stack)!] : [...deps].filter(([, d]) => d.includes(stack)).map(([s]) => s)]),
  );
  for (const [stack, waits] of waitsFor) {
    for (const w of waits) if (!deps.has(w)) throw new Error(`${stack} depends on unknown stack ${w}`);
  }
  const outcome = new Map<string, Promise<boolean>>();
  const visiting = new Set<string>();
  const start = (stack: string): Promise<boolean> => {
    const existing = outcome.get(stack);
    if (existing) return existing;
    if (visiting.has(stack)) throw new Error(`dependency cycle through ${stack}`);
    visiting.add(stack);
    const promise = Promise.all(waitsFor.get(stack)!.map(start)).then((ok) => (ok.every(Boolean) ? limit(() => run(stack)) : false));
    outcome.set(stack, promise);
    return promise;
  };
  const results = await Promise.all([...deps.keys()].map(start));
  return results.every(Boolean);
}


/** At most `n` runs at a time, in the order asked. */
function slots(n: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (run) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await run();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
