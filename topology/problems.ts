/** A validation finding: where in the file, what is wrong, and how to fix it. */
export interface Problem {
  /** Path of keys and indexes in the topology document, e.g. ["hubs", "tokyo", "services", 3]. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
  readonly fix?: string;
  /** 1-based line of the offending node, when the document was read from YAML text. */
  readonly line?: number;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(top level)" : out;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line !== undefined ? `line ${problem.line}: ` : "";
  const fix = problem.fix ? `\n      fix: ${problem.fix}` : "";
  return `  - ${where}${formatPath(problem.path)}: ${problem.message}${fix}`;
}

/** Thrown when a topology has problems; carries every one of them. */
export class TopologyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} found; nothing was synthesized.\n` +
        problems.map(formatProblem).join("\n"),
    );
    this.name = "TopologyError";
  }
}
