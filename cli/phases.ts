/**
 * The order in which an estate's stacks change, computed once as data and used alike by `privatelink
 * deploy`, `destroy`, `plan --out` (the plan set's order) and `pipeline` (the engines' files):
 *
 * 1. **retired pairs**: pairs removed from spokes that stay (a service removed from their hub) are
 *    disassociated first (`-target`), before the hub deletes their zones;
 * 2. **leaving a Profile**: a spoke switching from its hub's Route 53 Profile back to the zones joins the
 *    zones first (`-target` of its pairs) and then drops its Profile association, before the hub deletes the
 *    Profile; only when its state holds the association (otherwise it waits for its hub like any other);
 * 3. **stacks**: every stack in dependency order (an upstream before what reads it; retired stacks before
 *    what they read from, see synth/estate.ts), independent stacks in parallel;
 * 4. **old pairs**: a spoke that joined its hub's Profile in phase 3 drops its old zone pairs (`-target`),
 *    once its state shows the Profile association (read after the apply).
 *
 * Destroy is phase 3 reversed. Each step names its stack, its `-target`s, the steps it waits for and why.
 */
import { pairAddress } from "../synth/estate";
import { TopologyModel } from "../topology/model";
import { Dependencies } from "./schedule";

export type PhaseName = "retired-pairs" | "leaving-profile" | "stacks" | "old-pairs" | "destroy";

export interface Step {
  /** Unique within the plan: the stack, or `<stack>:<phase>` for a targeted step. */
  readonly id: string;
  readonly stack: string;
  readonly phase: PhaseName;
  /** `-target` addresses of a targeted step; empty for a whole-stack step. */
  readonly targets: readonly string[];
  /**
   * A whole-stack step that starts with a targeted apply of these addresses (a spoke leaving a Profile joins
   * its zone pairs before its association goes).
   */
  readonly firstTargets: readonly string[];
  /** Ids of the steps that must be done first. */
  readonly after: readonly string[];
  /** Runs only when it holds, checked at run time. */
  readonly condition?: "profile-association-in-state" | "profile-association-applied";
  /** Why the step exists, in a few words (progress lines, generated pipelines). */
  readonly why: string;
}

export interface Phase {
  readonly name: PhaseName;
  readonly title: string;
  readonly steps: readonly Step[];
}

export interface PhaseInput {
  readonly model: TopologyModel;
  /** Stack dependencies from the synth manifest, restricted to the selected stacks. */
  readonly deps: Dependencies;
  /** Per spoke: the association the estate record had before this synth (a switch between zones and a Profile). */
  readonly previousAssociation: (stack: string) => "script" | "native" | "profile" | undefined;
  /** Per spoke: retired pairs (zone names) to disassociate (synth's `retired.pairs`). */
  readonly retiredPairs: Readonly<Record<string, readonly string[]>>;
  /** Per spoke: old pairs kept until its Profile association is applied (synth's `retired.waiting`). */
  readonly waitingPairs: Readonly<Record<string, readonly string[]>>;
}

/** The phases of a deploy, in order; empty phases are left out. */
export function deployPhases(input: PhaseInput): Phase[] {
  const { model, deps } = input;
  const selected = new Set(deps.keys());
  // Spokes switching from the Profile back to the zones: their pairs first (script mode), then the rest.
  const leaving = new Map<string, readonly string[]>();
  for (const spoke of model.spokes) {
    if (!selected.has(spoke.stackName)) continue;
    if (input.previousAssociation(spoke.stackName) === "profile" && spoke.association !== "profile") {
      leaving.set(spoke.stackName, spoke.association === "script" ? spoke.hub.services.flatMap((service) => service.zones.map((zone) => pairAddress(zone.name))) : []);
    }
  }
  const retired: Step[] = Object.entries(input.retiredPairs)
    .filter(([stack, zones]) => selected.has(stack) && !leaving.has(stack) && zones.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stack, zones]) => ({
      id: `${stack}:retired-pairs`,
      stack,
      phase: "retired-pairs" as const,
      targets: zones.map(pairAddress),
      firstTargets: [],
      after: [],
      why: `disassociate ${zones.length} removed pair(s) before the hub changes`,
    }));
  const leavingSteps: Step[] = [...leaving]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stack, firstTargets]) => ({
      id: `${stack}:leaving-profile`,
      stack,
      phase: "leaving-profile" as const,
      targets: [],
      firstTargets,
      after: retired.map((s) => s.id),
      condition: "profile-association-in-state" as const,
      why: "join the hub's zones, then leave its Route 53 Profile, before the hub deletes the Profile",
    }));
  const before = [...retired, ...leavingSteps].map((s) => s.id);
  const stacks: Step[] = [...deps.keys()].sort().map((stack) => ({
    id: stack,
    stack,
    phase: "stacks" as const,
    targets: [],
    firstTargets: leaving.get(stack) ?? [],
    // A stack leaving the Profile was applied in phase 2 when its state held the association; otherwise here.
    after: [...deps.get(stack)!.filter((d) => selected.has(d)), ...before].sort(),
    why: "apply",
  }));
  const old: Step[] = Object.entries(input.waitingPairs)
    .filter(([stack, zones]) => selected.has(stack) && zones.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([stack, zones]) => ({
      id: `${stack}:old-pairs`,
      stack,
      phase: "old-pairs" as const,
      targets: zones.map(pairAddress),
      firstTargets: [],
      after: stacks.map((s) => s.id),
      condition: "profile-association-applied" as const,
      why: `on its hub's Profile now: disassociate ${zones.length} old pair(s)`,
    }));
  const phases: Phase[] = [
    { name: "retired-pairs", title: "pairs removed from spokes that stay", steps: retired },
    { name: "leaving-profile", title: "spokes leaving their hub's Route 53 Profile", steps: leavingSteps },
    { name: "stacks", title: "every stack in dependency order", steps: stacks },
    { name: "old-pairs", title: "old pairs of spokes now on their hub's Profile", steps: old },
  ];
  return phases.filter((p) => p.steps.length > 0);
}

/** The deploy phases of a synth: what `deploy`, `plan --out` and `pipeline` all use. */
export function phasesOfSynth(input: {
  readonly model: TopologyModel;
  readonly deps: Dependencies;
  /** The estate record before the synth rewrote it. */
  readonly before?: { readonly stacks: Readonly<Record<string, { readonly spoke?: { readonly association: "script" | "native" | "profile" } }>> };
  readonly retired: { readonly pairs: Readonly<Record<string, readonly string[]>>; readonly waiting: Readonly<Record<string, readonly string[]>> };
}): Phase[] {
  return deployPhases({
    model: input.model,
    deps: input.deps,
    previousAssociation: (stack) => input.before?.stacks[stack]?.spoke?.association,
    retiredPairs: input.retired.pairs,
    waitingPairs: input.retired.waiting,
  });
}

/** The phase of a destroy: dependants first (a stack waits for every stack that reads from it). */
export function destroyPhases(deps: Dependencies): Phase[] {
  const selected = [...deps.keys()].sort();
  const steps: Step[] = selected.map((stack) => ({
    id: stack,
    stack,
    phase: "destroy",
    targets: [],
    firstTargets: [],
    after: selected.filter((other) => deps.get(other)!.includes(stack)),
    why: "destroy",
  }));
  return steps.length > 0 ? [{ name: "destroy", title: "every stack, dependants first", steps }] : [];
}

/** Every step of the phases. */
export function stepsOf(phases: readonly Phase[]): Step[] {
  return phases.flatMap((p) => p.steps);
}

/**
 * The waves of a plan: a step's wave is one more than the latest of the steps it waits for (the first wave
 * is 1). Steps of one wave may run side by side. This is the order every generated pipeline must keep.
 */
export function waves(steps: readonly Step[]): Map<string, number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const wave = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (id: string): number => {
    const known = wave.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`the steps wait for each other in a cycle through ${id}`);
    visiting.add(id);
    const step = byId.get(id);
    if (!step) throw new Error(`a step waits for ${id}, which is not a step`);
    const w = 1 + Math.max(0, ...step.after.map(of));
    visiting.delete(id);
    wave.set(id, w);
    return w;
  };
  for (const step of steps) of(step.id);
  return wave;
}
