import { IConstruct } from "constructs";

/**
 * A construct was given props it cannot build from. Carries the construct's path in the tree (the
 * same path `cdktf synth` uses in `//` metadata) and every problem found, so a caller can report
 * them all at once. Constructs validate in their constructor and throw this, never a bare `Error`.
 */
export class ValidationError extends Error {
  /** Path of the construct in the construct tree, e.g. `hub-tokyo/service-ssm`. */
  readonly constructPath: string;
  /** Each problem, as a sentence naming the prop. */
  readonly problems: readonly string[];

  constructor(scope: IConstruct, problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : [...problems];
    const path = scope.node.path || scope.node.id || "(root)";
    super(`${path}: ${list.join("; ")}`);
    this.name = "ValidationError";
    this.constructPath = path;
    this.problems = list;
  }
}

/** Throws one ValidationError for every problem collected, if any. */
export function throwIfProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length > 0) throw new ValidationError(scope, problems);
}
