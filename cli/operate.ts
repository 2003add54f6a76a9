/**
 * `privatelink synth | plan | deploy | destroy | lock`: terraform on the stacks of the topology, in the
 * order of cli/phases.ts, independent stacks in parallel, a progress line per running stack at least every
 * 20 s (what terraform is doing, from its `-json` stream), a log file per stack and step
 * (`<outdir>/logs/<command>/<stack>.log`), a final table and an exit code that means what terraform's
 * mean: 0 done, 1 a stack failed (what waits for it is skipped), 2 bad input (nothing ran); `plan
 * --detailed-exitcode`: 0 no changes, 1 failure, 2 changes present.
 *
 * - `plan` plans every selected stack (or, with `--changed-since REF`, those whose synthesized configuration
 *   changed since REF, what reads from them and retired stacks) and writes the pull-request summary: every
 *   stack with its status, failures first. `--out DIR` writes a plan set (plan-set.ts).
 * - `deploy` applies the phases; `deploy --plan-set DIR` applies exactly the reviewed plans, in order.
 * - Terraform is `$TERRAFORM_BINARY_NAME` (default `terraform`) with the caller's environment:
 *   `TF_CLI_CONFIG_FILE` (a filesystem mirror, offline) and credentials are honoured.
 */
import { Writable } from "stream";
import * as fs from "fs";
import * as path from "path";
import { loadTopologyFile } from "../topology/load";
import { TopologyModel } from "../topology/model";
import { defaultStateReader, synthesize, SynthResult } from "../synth/synthesize";
import { importsFileFor } from "../synth/imports";
import { writeFileAtomic } from "../topology/files";
import { estateFileFor, EstateRecord, pairAddress, PROFILE_ASSOCIATION_ADDRESS, pruneRecord, readEstate, writeEstate } from "../synth/estate";
import { PENDING_PATTERN } from "../modules/upstream-outputs";
import { Dependencies, dependenciesOf, schedule } from "./schedule";
import { costOfChange } from "./cost";
import { EstateGraph, NO_COUNTS, Place, PlanReport, StackOutcome, StackPlan, summarize, summaryJson, summaryMarkdown } from "./plan-summary";
import { destroyPhases, Phase, phasesOfSynth, Step, stepsOf } from "./phases";
import { errorLines, interruptAll, runTerraform, TerraformResult } from "./terraform";
import { planText } from "./plan-text";
import { compareWithBase, startBase } from "./changed";
import { PlanSetStep, readPlanSet, verifyPlanSet, writePlanSet } from "./plan-set";
import { writeLockFile } from "./lock";
import { removeLeftovers } from "./authorizations";
import { UsageError } from "./kit";

export type Command = "synth" | "plan" | "deploy" | "destroy" | "lock";

export interface OperateOptions {
  /** The topology file. */
  readonly topology: string;
  /** Stacks to work on (all when undefined); names checked against the synthesized stacks. */
  readonly stacks?: readonly string[];
  readonly parallel: number;
  readonly autoApprove: boolean;
  readonly summaryMd?: string;
  readonly summaryJson?: string;
  /** Plan: the target branch's topology, for the monthly cost delta in the summary. */
  readonly costBase?: string;
  /** Plan: declared traffic for the cost section (see `privatelink cost --traffic`). */
  readonly traffic?: string;
  /** Plan: terraform's exit codes (0 no changes, 1 failure, 2 changes present). */
  readonly detailedExitcode?: boolean;
  /** Plan: write a plan set into this directory. */
  readonly out?: string;
  /** Plan: only the stacks changed since this git reference (and what reads them, and retired stacks). */
  readonly changedSince?: string;
  /** Deploy: apply this plan set. */
  readonly planSet?: string;
  /** Deploy --plan-set: only these steps of the set. */
  readonly steps?: readonly string[];
  /** Lock: platforms to hash. */
  readonly platforms?: readonly string[];
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Asks for a "yes" on a terminal; undefined when not interactive. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** How long a running stack may stay silent before its progress line repeats (the ticker checks every 5 s). */
export const PROGRESS_EVERY_MS = 20_000;

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The project's lock file: `<topology dir>/.terraform.lock.hcl`. */
export function projectLockFile(topologyFile: string): string {
  return path.join(path.dirname(topologyFile), ".terraform.lock.hcl");
}

/** What a stack's row says at the end. */
interface Row {
  result: "ok" | "no changes" | "FAILED" | "skipped" | "pending";
  detail: string;
  seconds?: number;
  error?: string[];
}

/**
 * The progress of the running stacks: a line when a stack starts a step, and at least every
 * PROGRESS_EVERY_MS while it runs, with the elapsed time and what terraform is doing.
 */
class Progress {
  private readonly active = new Map<string, { what: string; since: number; activity?: string; printed: number }>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly io: Io) {}

  private line(stack: string, text: string): void {
    this.io.out(`[${new Date().toISOString().slice(11, 19)}] ${stack}: ${text}\n`);
  }

  start(stack: string, what: string): void {
    const entry = this.active.get(stack);
    this.active.set(stack, { what, since: entry?.since ?? Date.now(), printed: Date.now() });
    this.line(stack, what);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), 5_000);
      this.timer.unref();
    }
  }

  activity(stack: string, activity: string): void {
    const entry = this.active.get(stack);
    if (entry) entry.activity = activity;
  }

  done(stack: string, text: string): void {
    this.active.delete(stack);
    this.line(stack, text);
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  note(stack: string, text: string): void {
    this.line(stack, text);
  }

  private tick(): void {
    const now = Date.now();
    for (const [stack, entry] of this.active) {
      if (now - entry.printed < PROGRESS_EVERY_MS) continue;
      entry.printed = now;
      this.line(stack, `${entry.what}, ${elapsed(entry.since)}${entry.activity ? `: ${entry.activity}` : ""}`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Everything a command works with once the topology is synthesized. */
interface Context {
  readonly command: Command;
  readonly options: OperateOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  readonly model: TopologyModel;
  readonly outdir: string;
  readonly lockFile: string;
  readonly estateFile: string;
  readonly synth: SynthResult;
  /** The estate record before this synth rewrote it. */
  readonly before?: EstateRecord;
  /** After the synth. */
  readonly record?: EstateRecord;
  /** Every synthesized stack's dependencies (the manifest). */
  readonly allDeps: Dependencies;
  /** The stacks selected, with their dependencies among them. */
  readonly deps: Dependencies;
  readonly progress: Progress;
  readonly rows: Map<string, Row>;
  /** Warnings terraform printed (a CLI configuration problem...), passed on once each. */
  readonly warned: Set<string>;
  interrupted: boolean;
}

export async function operate(command: Command, options: OperateOptions, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const started = Date.now();
  const topologyFile = options.topology;
  const lockFile = projectLockFile(topologyFile);
  const estateFile = env.PRIVATELINK_ESTATE || estateFileFor(topologyFile);
  const outdir = path.resolve(env.CDKTF_OUTDIR || "cdktf.out");

  if ((command === "deploy" || command === "destroy") && !options.autoApprove && !io.confirm) {
    throw new UsageError(`${command} changes real infrastructure: not on a terminal, pass --auto-approve (review with privatelink plan first)`);
  }
  if (command === "lock") {
    // The lock goes next to the topology: a topology that is not one is refused first (exit 2).
    loadTopologyFile(topologyFile, { targetEndpoint: env.TARGET_ENDPOINT || undefined });
    return lock(lockFile, outdir, options, env, io);
  }

  // A plan set is checked against the topology and the record before anything is synthesized.
  const planSet = options.planSet ? readPlanSet(options.planSet) : undefined;
  if (planSet) verifyPlanSet(planSet, { topologyFile, estateFile, phase: "before-synth" });

  const model: TopologyModel = loadTopologyFile(topologyFile, { targetEndpoint: env.TARGET_ENDPOINT || undefined }).model;
  // How each spoke associated before this synth rewrites the record (a switch between zones and a Profile).
  const before = readEstate(estateFile);
  // --changed-since: REF's synth starts first, in a worker thread, beside this one.
  const base = options.changedSince ? startBase({ topologyFile, estateFile, outdir, ref: options.changedSince, targetEndpoint: env.TARGET_ENDPOINT || undefined }) : undefined;
  base?.catch(() => undefined); // awaited below; a failure is reported there
  const synth = synthesize(model, { outdir, lockFile, estate: { file: estateFile }, importsFile: importsFileFor(topologyFile) });
  io.out(`privatelink: synthesized ${synth.stacks.length} stacks into ${path.relative(".", outdir) || "."}${synth.retired.stacks.length ? `; retired: ${synth.retired.stacks.join(", ")}` : ""}\n`);
  for (const [stack, zones] of Object.entries(synth.retired.pairs)) io.out(`privatelink: ${stack}: retired pairs ${zones.join(", ")}\n`);
  for (const warning of synth.warnings) io.err(`warning: ${warning}\n`);
  if (command === "synth") return 0;
  if (planSet) verifyPlanSet(planSet, { topologyFile, estateFile, outdir, phase: "after-synth" });

  const allDeps = dependenciesOf(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")));
  const all = [...allDeps.keys()].sort();
  if (planSet && options.steps) {
    const ids = new Set(planSet.steps.map((s) => s.id));
    const unknownSteps = options.steps.filter((id) => !ids.has(id));
    if (unknownSteps.length) throw new UsageError(`--step: the plan set has no step ${unknownSteps.join(", ")}; its steps: ${[...ids].join(", ")}`);
  }
  const selected = options.stacks ?? (planSet ? [...new Set(planSet.steps.filter((s) => !options.steps || options.steps.includes(s.id)).map((s) => s.stack))] : all);
  if (selected.length === 0) throw new UsageError(`--stacks names no stack; stacks: ${all.join(", ")}`);
  const unknown = selected.filter((s) => !allDeps.has(s));
  if (unknown.length > 0) throw new UsageError(`--stacks: no stack ${unknown.join(", ")}; stacks: ${all.join(", ")}`);
  let chosen = selected;
  const leftOut = new Map<string, string>();
  if (options.changedSince && base) {
    const changed = compareWithBase(await base, { outdir, ref: options.changedSince, current: allDeps, retired: synth.retired.stacks });
    for (const [stack, why] of changed.leftOut) if (selected.includes(stack)) leftOut.set(stack, why);
    chosen = selected.filter((s) => changed.plan.has(s));
    io.out(`privatelink: --changed-since ${options.changedSince}: ${chosen.length} of ${selected.length} stacks to plan${changed.note ? ` (all: ${changed.note})` : ""} (${changed.seconds.toFixed(1)} s to synthesize ${options.changedSince}, beside this synth)${chosen.length ? `: ${chosen.map((s) => (changed.reasons.has(s) ? `${s} (${changed.reasons.get(s)})` : s)).join(", ")}` : ""}\n`);
  }
  const deps: Dependencies = new Map(chosen.map((s) => [s, allDeps.get(s)!.filter((d) => chosen.includes(d))]));

  // No project lock file yet: written from the providers terraform finds, and given to every stack.
  if (!fs.existsSync(lockFile)) {
    const result = await writeLockFile(lockFile, env, undefined);
    if (!result.ok) {
      io.err(`privatelink: could not write ${lockFile}:\n      ${result.error.join("\n      ")}\n`);
      return 1;
    }
    io.out(`privatelink: wrote ${lockFile} (commit it)\n`);
    giveLockFile(outdir, lockFile, false);
  }

  if (!options.autoApprove && io.confirm && (command === "deploy" || command === "destroy")) {
    const yes = await io.confirm(`${command} ${chosen.length} stacks (${chosen.join(", ")})? Only "yes" is accepted: `);
    if (!yes) {
      io.err(`privatelink: ${command} cancelled\n`);
      return 1;
    }
  }

  const ctx: Context = {
    command,
    options,
    env,
    io,
    model,
    outdir,
    lockFile,
    estateFile,
    synth,
    before,
    record: readEstate(estateFile),
    allDeps,
    deps,
    progress: new Progress(io),
    rows: new Map(chosen.map((s) => [s, { result: "skipped", detail: "" }])),
    warned: new Set(),
    interrupted: false,
  };
  const onSignal = (signal: NodeJS.Signals) => {
    ctx.interrupted = true;
    io.err(`privatelink: ${signal}: passed on to ${interruptAll()} terraform process(es); no new stack starts\n`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let code: number;
  try {
    if (command === "plan") code = await plan(ctx, leftOut);
    else if (command === "deploy") code = planSet ? await deployPlanSet(ctx, planSet) : await deploy(ctx);
    else code = await destroy(ctx);
  } finally {
    ctx.progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (command !== "plan") printTable(ctx, started);
  if (ctx.interrupted) return 130;
  return code;
}

/** The final table of deploy and destroy. */
function printTable(ctx: Context, started: number): void {
  const rows = [...ctx.rows];
  const width = Math.max(5, ...rows.map(([s]) => s.length));
  ctx.io.out(`\n${"stack".padEnd(width)}  result      changes                 time\n`);
  const order = (r: Row) => (r.result === "FAILED" ? 0 : r.result === "pending" ? 1 : r.result === "skipped" ? 2 : 3);
  for (const [stack, row] of rows.sort(([a, ra], [b, rb]) => order(ra) - order(rb) || a.localeCompare(b))) {
    ctx.io.out(`${stack.padEnd(width)}  ${row.result.padEnd(10)}  ${(row.result === "FAILED" ? (row.error?.[0] ?? "see log") : row.detail).slice(0, 60).padEnd(22)}  ${row.seconds === undefined ? "-" : `${row.seconds.toFixed(1)} s`}\n`);
  }
  const failed = rows.filter(([, r]) => r.result === "FAILED").length;
  const skipped = rows.filter(([, r]) => r.result === "skipped").length;
  const pending = rows.filter(([, r]) => r.result === "pending").length;
  const problems = [failed && `${failed} failed`, pending && `${pending} to re-plan`, skipped && `${skipped} skipped`].filter(Boolean);
  ctx.io.out(`privatelink ${ctx.command}: ${problems.length ? problems.join(", ") : "done"} in ${elapsed(started)}; logs in ${path.relative(".", path.join(ctx.outdir, "logs", ctx.command))}\n`);
}

const stackDir = (ctx: Context, stack: string) => path.join(ctx.outdir, "stacks", stack);

function openLog(ctx: Context, name: string): Writable {
  const dir = path.join(ctx.outdir, "logs", ctx.command);
  fs.mkdirSync(dir, { recursive: true });
  return fs.createWriteStream(path.join(dir, `${name}.log`));
}

/** What terraform says when a directory must be initialized (again): its backend, lock or providers changed. */
const NEEDS_INIT = /terraform init|Backend initialization required|Inconsistent dependency lock file|Required plugins are not installed|Module not installed/;

function needsInit(result: TerraformResult): boolean {
  return result.status !== 0 && (result.diagnostics.some((d) => NEEDS_INIT.test(`${d.summary}\n${d.detail ?? ""}`)) || NEEDS_INIT.test(result.stderr));
}

/**
 * Runs terraform in a stack's directory, its activity feeding the progress line. When terraform answers that
 * the directory must be initialized (a backend, lock or provider change since its last init), the stack is
 * initialized and the command run once more.
 */
async function tf(ctx: Context, stack: string, args: string[], log: Writable, json = false): Promise<TerraformResult> {
  const result = await tfOnce(ctx, stack, args, log, json);
  if (args[0] === "init" || !needsInit(result)) return result;
  const initRun = await init(ctx, stack, log, true);
  if (initRun.status !== 0) return initRun;
  return tfOnce(ctx, stack, args, log, json);
}

function tfOnce(ctx: Context, stack: string, args: string[], log: Writable, json: boolean): Promise<TerraformResult> {
  return runTerraform(stackDir(ctx, stack), args, ctx.env, {
    log,
    json,
    onActivity: (activity) => ctx.progress.activity(stack, activity),
    onWarning: (text) => {
      if (ctx.warned.has(text)) return;
      ctx.warned.add(text);
      ctx.io.err(`terraform (${stack}): ${text.split("\n").join("\n  ")}\n`);
    },
  });
}

/** `terraform init`, unless this stack's directory was initialized with this configuration already. */
/**
 * `terraform init`, unless the directory is initialized already (its backend, its lock file and its providers
 * are there: `terraform init` would change nothing, and costs a second or two per stack); a stale
 * initialization is caught by `tf`, which initializes and runs the command again.
 */
async function init(ctx: Context, stack: string, log: Writable, force = false): Promise<TerraformResult> {
  const dir = stackDir(ctx, stack);
  const ready = ["terraform.tfstate", "providers"].every((f) => fs.existsSync(path.join(dir, ".terraform", f))) && fs.existsSync(path.join(dir, ".terraform.lock.hcl"));
  if (ready && !force) {
    log.write("(initialized already: terraform init skipped)\n");
    return { status: 0, stdout: "", stderr: "", diagnostics: [] };
  }
  ctx.progress.start(stack, "init");
  return tf(ctx, stack, ["init", "-input=false", "-no-color"], log);
}

/** What a stack's state holds (`terraform state list`), without instance keys; undefined when it cannot be read. */
async function stateAddresses(ctx: Context, stack: string, log: Writable): Promise<string[] | undefined> {
  const list = await tf(ctx, stack, ["state", "list"], log);
  if (list.status !== 0) return undefined;
  return [...new Set(list.stdout.split("\n").filter(Boolean).map((a) => a.replace(/\[[^\]]*\]$/, "")))].filter((a) => !a.startsWith("data."));
}

/** Account and region of each provider alias of a stack, from the estate record. */
function placesOf(record: EstateRecord | undefined, stack: string): Map<string, Place> {
  return new Map((record?.stacks[stack]?.providers ?? []).map((p) => [p.alias, { account: p.account, region: p.region }]));
}

/** The estate for the summary's diagram: each stack's home account and region, and who reads whom. */
function estateGraph(ctx: Context): EstateGraph {
  const stacks = [...ctx.allDeps.keys()].sort().map((stack) => {
    const home = ctx.record?.stacks[stack]?.providers[0];
    return { stack, account: home ? `${home.account} (${home.accountId})` : "?", region: home?.region ?? "?" };
  });
  const edges = [...ctx.allDeps].flatMap(([stack, ups]) => ups.map((up) => [up, stack] as const));
  return { stacks, edges };
}

/** Upstream stacks whose placeholders a saved plan carries (planned before they had the outputs). */
export function pendingUpstreams(plan: any): string[] {
  const found = new Set<string>();
  for (const change of plan.resource_changes ?? []) {
    const actions: string[] = change.change?.actions ?? [];
    if (!actions.includes("create") && !actions.includes("update")) continue;
    for (const m of JSON.stringify(change.change.after ?? {}).matchAll(PENDING_PATTERN)) found.add(m[1]);
  }
  return [...found].sort();
}

const PLAN_FILE = "privatelink.tfplan";

interface Planned {
  readonly outcome: StackOutcome;
  readonly plan?: any;
  /** The plan file in the stack's directory. */
  readonly planFile?: string;
}

/** init, plan (saved), show -json and show: one stack's outcome. */
async function planOne(ctx: Context, stack: string, log: Writable, extra: { file: string; targets: readonly string[] } = { file: PLAN_FILE, targets: [] }): Promise<Planned> {
  const none = { ...NO_COUNTS };
  const retired = ctx.record?.stacks[stack]?.retired === true;
  const initRun = await init(ctx, stack, log);
  if (initRun.status !== 0) return { outcome: { stack, status: "failed", counts: none, error: ["terraform init failed:", ...errorLines(initRun)], retired } };
  ctx.progress.start(stack, extra.targets.length ? `planning ${extra.targets.length} targeted address(es)` : "planning");
  const run = await tf(ctx, stack, ["plan", "-input=false", "-no-color", "-json", `-out=${extra.file}`, ...extra.targets.map((t) => `-target=${t}`)], log, true);
  if (run.status !== 0) return { outcome: { stack, status: "failed", counts: none, error: errorLines(run), retired } };
  const show = await tf(ctx, stack, ["show", "-json", extra.file], log);
  if (show.status !== 0) return { outcome: { stack, status: "failed", counts: none, error: ["terraform show -json failed:", ...errorLines(show)], retired } };
  let plan: any;
  try {
    plan = JSON.parse(show.stdout);
  } catch (error) {
    return { outcome: { stack, status: "failed", counts: none, error: [`terraform show -json printed no JSON: ${(error as Error).message}`], retired } };
  }
  const counts = summarize([{ stack, plan, places: new Map() }]).totals;
  const changed = counts.create + counts.update + counts.delete + counts.replace + counts.import > 0;
  // Rendered from the JSON plan (plan-text.ts): a second `terraform show` would load the provider's schema again.
  const text = changed ? planText(plan) : undefined;
  const pending = pendingUpstreams(plan);
  return {
    outcome: { stack, status: changed ? "changes" : "no-changes", counts, planText: text, replanAfter: pending.length ? pending : undefined, retired },
    plan,
    planFile: path.join(stackDir(ctx, stack), extra.file),
  };
}

async function plan(ctx: Context, leftOut: ReadonlyMap<string, string>): Promise<number> {
  const { options, io } = ctx;
  const started = Date.now();
  // Where the results go is checked before any work (the command line checked the paths' directories).
  const planned = new Map<string, Planned>();
  const targeted = new Map<string, Planned>();
  const phases = phasesOfSynth({ model: ctx.model, deps: ctx.deps, before: ctx.before, retired: ctx.synth.retired });
  // Targeted first steps (retired pairs, leaving a Profile) get their own plan in a plan set.
  const firstSteps = new Map(stepsOf(phases).filter((s) => s.phase === "retired-pairs" || s.phase === "leaving-profile").map((s) => [s.stack, s]));
  await schedule(
    new Map([...ctx.deps.keys()].map((s) => [s, []])),
    "apply",
    async (stack) => {
      if (ctx.interrupted) return false;
      const log = openLog(ctx, stack);
      const since = Date.now();
      try {
        const result = await planOne(ctx, stack, log);
        planned.set(stack, result);
        const first = firstSteps.get(stack);
        if (options.out && first && result.outcome.status !== "failed") {
          const targets = first.targets.length ? first.targets : first.firstTargets;
          if (targets.length) targeted.set(stack, await planOne(ctx, stack, log, { file: `privatelink.${first.phase}.tfplan`, targets }));
        }
        const o = result.outcome;
        const c = o.counts;
        ctx.progress.done(stack, o.status === "failed" ? `FAILED in ${elapsed(since)} (log: ${path.relative(".", path.join(ctx.outdir, "logs", "plan", `${stack}.log`))})\n      ${(o.error ?? []).join("\n      ")}` : `${o.status === "changes" ? `+${c.create} ~${c.update} ±${c.replace} -${c.delete}` : "no changes"}${o.replanAfter ? ` (re-plan after ${o.replanAfter.join(", ")})` : ""} in ${elapsed(since)}`);
        return o.status !== "failed";
      } finally {
        log.end();
      }
    },
    options.parallel,
  );
  const none = { ...NO_COUNTS };
  const outcomes: StackOutcome[] = [
    ...[...ctx.deps.keys()].map((stack) => planned.get(stack)?.outcome ?? { stack, status: "skipped" as const, counts: none, reason: "interrupted before it was planned" }),
    ...[...leftOut].map(([stack, why]) => ({ stack, status: "skipped" as const, counts: none, reason: why })),
  ];
  const plans: StackPlan[] = [...planned.values()]
    .filter((p) => p.plan)
    .map((p) => ({ stack: p.outcome.stack, plan: p.plan, places: placesOf(ctx.record, p.outcome.stack), retired: p.outcome.retired }))
    .sort((a, b) => a.stack.localeCompare(b.stack));
  const cost = costOfChange(ctx.model, { baseTopology: options.costBase, traffic: options.traffic });
  const report: PlanReport = { outcomes, summary: summarize(plans), graph: estateGraph(ctx), cost: { markdown: cost.markdown, json: cost.json ?? null }, changedSince: options.changedSince };
  const markdown = summaryMarkdown(report);
  if (options.summaryMd) writeFileAtomic(options.summaryMd, markdown);
  if (options.summaryJson) writeFileAtomic(options.summaryJson, `${JSON.stringify(summaryJson(report), null, 2)}\n`);
  io.out(`\n${markdown}`);
  const failed = outcomes.filter((o) => o.status === "failed");
  if (options.out && !ctx.interrupted) {
    const steps = planSetSteps(phases, planned, targeted);
    writePlanSet(options.out, { topologyFile: options.topology, estateFile: ctx.estateFile, outdir: ctx.outdir, steps, complete: failed.length === 0 });
    io.out(`privatelink plan: wrote the plan set ${options.out} (${steps.length} step(s)${failed.length ? `; ${failed.length} failed stack(s) left out: it cannot be applied` : ""}); apply it with: privatelink deploy --plan-set ${options.out} --auto-approve\n`);
  }
  io.out(`privatelink plan: ${outcomes.length} stacks, ${failed.length ? `${failed.length} FAILED (${failed.map((o) => o.stack).join(", ")}), ` : ""}${outcomes.filter((o) => o.status === "changes").length} with changes, ${outcomes.filter((o) => o.status === "skipped").length} skipped, in ${elapsed(started)}; logs in ${path.relative(".", path.join(ctx.outdir, "logs", "plan"))}\n`);
  if (failed.length > 0 || ctx.interrupted) return 1;
  if (options.detailedExitcode) return outcomes.some((o) => o.status === "changes") ? 2 : 0;
  return 0;
}


/**
 * The plan set's steps in deploy order: a targeted first step (retired pairs, leaving a Profile) carries its
 * targeted plan; the stack's whole plan follows in the stacks phase, unless the targeted plan already
 * covers every change of the whole plan.
 */
function planSetSteps(phases: readonly Phase[], planned: ReadonlyMap<string, Planned>, targeted: ReadonlyMap<string, Planned>): PlanSetStep[] {
  const steps: PlanSetStep[] = [];
  const covered = new Set<string>();
  for (const step of stepsOf(phases)) {
    if (step.phase === "old-pairs") continue;
    if (step.phase === "retired-pairs" || step.phase === "leaving-profile") {
      const t = targeted.get(step.stack);
      const whole = planned.get(step.stack);
      if (!t?.planFile || !whole?.plan) continue;
      steps.push({ id: step.id, stack: step.stack, phase: step.phase, after: step.after, planFile: t.planFile, status: t.outcome.status, replanAfter: t.outcome.replanAfter ?? [] });
      // The whole plan changes nothing the targeted one does not: the stack is done with this step.
      const changedAddresses = (plan: any) => new Set((plan.resource_changes ?? []).filter((c: any) => !(c.change.actions.length === 1 && ["no-op", "read"].includes(c.change.actions[0]))).map((c: any) => c.address as string));
      const all = changedAddresses(whole.plan);
      const inTargeted = changedAddresses(t.plan);
      if ([...all].every((a) => inTargeted.has(a))) covered.add(step.stack);
      continue;
    }
    const p = planned.get(step.stack);
    if (!p?.planFile) continue;
    const after = step.after.filter((id) => steps.some((s) => s.id === id) || planned.has(id));
    if (covered.has(step.stack)) continue;
    // After its own targeted step, the stack's whole plan is stale: it is re-planned then.
    const firstDone = steps.find((s) => s.stack === step.stack);
    steps.push({ id: step.id, stack: step.stack, phase: "stacks", after, planFile: p.planFile, status: p.outcome.status, replanAfter: firstDone ? [...new Set([...(p.outcome.replanAfter ?? []), step.stack])] : p.outcome.replanAfter ?? [] });
  }
  return steps;
}

/** Records a step's result in its stack's row. */
function recordResult(ctx: Context, stack: string, result: TerraformResult, since: number, label = ""): boolean {
  const row = ctx.rows.get(stack) ?? { result: "skipped", detail: "" };
  row.seconds = (row.seconds ?? 0) + (Date.now() - since) / 1000;
  if (result.status !== 0) {
    row.result = "FAILED";
    row.error = errorLines(result);
    row.detail = "";
  } else {
    const c = result.changes;
    const counts = c ? `+${c.add} ~${c.change} -${c.remove}${c.import ? ` ⇐${c.import}` : ""}` : "";
    const nothing = !c || c.add + c.change + c.remove + c.import === 0;
    if (row.result !== "ok") row.result = nothing ? "no changes" : "ok";
    row.detail = [row.detail, label ? `${label} ${counts}` : counts].filter(Boolean).join("; ");
  }
  ctx.rows.set(stack, row);
  return result.status === 0;
}

/** Runs one step of a stack: init, then `run`; the progress line and the row say how it went. */
async function runStep(ctx: Context, step: Step | { id: string; stack: string }, what: string, run: (log: Writable, since: number) => Promise<boolean>): Promise<boolean> {
  if (ctx.interrupted) return false;
  const logName = step.id.replace(/:/g, ".");
  const log = openLog(ctx, logName);
  const since = Date.now();
  try {
    const initRun = await init(ctx, step.stack, log);
    if (initRun.status !== 0) {
      recordResult(ctx, step.stack, { ...initRun, diagnostics: [{ severity: "error", summary: `terraform init failed: ${errorLines(initRun).join(" ")}` }] }, since);
      return false;
    }
    ctx.progress.start(step.stack, what);
    return await run(log, since);
  } finally {
    log.end();
    const row = ctx.rows.get(step.stack)!;
    ctx.progress.done(
      step.stack,
      row.result === "FAILED" ? `FAILED in ${elapsed(since)} (log: ${path.relative(".", path.join(ctx.outdir, "logs", ctx.command, `${logName}.log`))})\n      ${(row.error ?? []).join("\n      ")}` : `${row.result}${row.detail ? ` ${row.detail}` : ""} in ${elapsed(since)}`,
    );
  }
}

const APPLY = ["apply", "-auto-approve", "-input=false", "-no-color", "-json"];

async function deploy(ctx: Context): Promise<number> {
  const phases = phasesOfSynth({ model: ctx.model, deps: ctx.deps, before: ctx.before, retired: ctx.synth.retired });
  const steps = stepsOf(phases).filter((s) => s.phase !== "old-pairs");
  const appliedEarly = new Set<string>();
  const runOne = async (step: Step): Promise<boolean> => {
    const targets = (args: readonly string[]) => args.map((t) => `-target=${t}`);
    if (step.phase === "retired-pairs") {
      return runStep(ctx, step, step.why, async (log, since) => recordResult(ctx, step.stack, await tf(ctx, step.stack, [...APPLY, ...targets(step.targets)], log, true), since, "retired pairs"));
    }
    if (step.phase === "leaving-profile") {
      return runStep(ctx, step, "switching from its hub's Profile to the zones", async (log, since) => {
        // Only a spoke whose state holds its Profile association goes first; one never applied (or
        // destroyed since) waits for its hub like any other.
        if (!(await stateAddresses(ctx, step.stack, log))?.includes(PROFILE_ASSOCIATION_ADDRESS)) return true;
        appliedEarly.add(step.stack);
        return applyWhole(step, log, since);
      });
    }
    if (appliedEarly.has(step.stack)) return true;
    return runStep(ctx, step, "applying", (log, since) => applyWhole(step, log, since));
  };
  const applyWhole = async (step: Step, log: Writable, since: number): Promise<boolean> => {
    if (step.firstTargets.length > 0) {
      ctx.progress.start(step.stack, "the zones first");
      const first = await tf(ctx, step.stack, [...APPLY, ...step.firstTargets.map((t) => `-target=${t}`)], log, true);
      if (!recordResult(ctx, step.stack, first, since, "zones first")) return false;
    }
    return recordResult(ctx, step.stack, await tf(ctx, step.stack, APPLY, log, true), since);
  };
  let ok = await schedule(new Map(steps.map((s) => [s.id, s.after])), "apply", (id) => runOne(steps.find((s) => s.id === id)!), ctx.options.parallel);
  markSkipped(ctx, steps);

  const waiting = Object.keys(ctx.synth.retired.waiting).filter((stack) => ctx.deps.has(stack));
  if (ok && waiting.length > 0) ok = (await oldPairs(ctx, waiting)) && ok;
  await pruneEstate(ctx);
  if (!ctx.interrupted) ok = (await sweepAuthorizations(ctx)) && ok;
  return ok ? 0 : 1;
}

/**
 * The end of a deploy: standing VPC association authorizations on the zones of the hubs it touched (the hub, or
 * one of its spokes, was selected) that no current pair needs are deleted (cli/authorizations.ts). A deletion
 * that fails fails the deploy, with the command that removes it by hand.
 */
async function sweepAuthorizations(ctx: Context): Promise<boolean> {
  const hubs = ctx.model.hubs.filter((hub) => ctx.deps.has(hub.stackName) || hub.spokes.some((s) => ctx.deps.has(s.stackName)));
  if (hubs.length === 0) return true;
  const applied = new Set([...ctx.rows].filter(([, r]) => r.result === "ok" || r.result === "no changes").map(([s]) => s));
  let results;
  try {
    results = await removeLeftovers(ctx.model, hubs, applied);
  } catch (error) {
    ctx.io.err(`privatelink deploy: could not list the hubs' VPC association authorizations (${(error as Error).message}); run privatelink preflight to see standing ones\n`);
    return true;
  }
  let ok = true;
  for (const r of results) {
    const pair = `${r.zoneName} (${r.zoneId}) <-> ${r.vpcId} (${r.vpcRegion})`;
    if (r.deleted) ctx.io.out(`privatelink: hub ${r.hub}: deleted a standing VPC association authorization ${pair}: ${r.why}\n`);
    else if (r.error) {
      ok = false;
      ctx.io.err(`privatelink: hub ${r.hub}: the standing authorization ${pair} could NOT be deleted (${r.error}): aws route53 delete-vpc-association-authorization --hosted-zone-id ${r.zoneId} --vpc VPCRegion=${r.vpcRegion},VPCId=${r.vpcId}\n`);
    } else if (r.status === "in-flight") ctx.io.out(`privatelink: hub ${r.hub}: left the authorization ${pair}: ${r.why}\n`);
  }
  return ok;
}

/** Stacks never reached: the row says what they waited for. */
function markSkipped(ctx: Context, steps: readonly Step[]): void {
  for (const [stack, row] of ctx.rows) {
    if (row.result !== "skipped" || row.detail) continue;
    const step = steps.find((s) => s.stack === stack && s.phase === "stacks") ?? steps.find((s) => s.stack === stack);
    const failed = (step?.after ?? []).map((id) => steps.find((s) => s.id === id)?.stack).filter((s): s is string => !!s && ["FAILED", "skipped", "pending"].includes(ctx.rows.get(s)?.result ?? ""));
    row.detail = ctx.interrupted ? "interrupted" : failed.length ? `waited for ${[...new Set(failed)].join(", ")}` : "";
  }
}

/**
 * Spokes that joined their hub's Profile in this deploy drop their old pairs: their states are read with
 * `terraform state list` (synth alone reads local state files only; under S3 it keeps the pairs waiting),
 * the estate is re-synthesized with what they hold, and the pairs it retires are disassociated.
 */
async function oldPairs(ctx: Context, waiting: readonly string[]): Promise<boolean> {
  const held = new Map<string, string[]>();
  for (const stack of waiting) {
    const log = openLog(ctx, `${stack}.state`);
    const list = await stateAddresses(ctx, stack, log);
    log.end();
    if (list) held.set(stack, list);
  }
  const fallback = defaultStateReader(ctx.model);
  const again = synthesize(ctx.model, { outdir: ctx.outdir, lockFile: ctx.lockFile, estate: { file: ctx.estateFile, state: (stack) => held.get(stack) ?? fallback(stack) }, importsFile: importsFileFor(ctx.options.topology) });
  let ok = true;
  for (const stack of waiting) {
    const zones = again.retired.pairs[stack] ?? [];
    if (zones.length === 0) continue;
    const step = { id: `${stack}:old-pairs`, stack };
    ok = (await runStep(ctx, step, `on the Profile now: disassociating ${zones.length} old pair(s)`, async (log, since) => {
      return recordResult(ctx, stack, await tf(ctx, stack, [...APPLY, ...zones.map((z) => `-target=${pairAddress(z)}`)], log, true), since, "old pairs");
    })) && ok;
  }
  return ok;
}

/** What the states no longer hold leaves the estate record (any backend: terraform state list). */
async function pruneEstate(ctx: Context): Promise<void> {
  const record = readEstate(ctx.estateFile);
  if (!record) return;
  let changed = false;
  for (const [stack, entry] of Object.entries(record.stacks)) {
    if (!ctx.deps.has(stack) || !(entry.retired || entry.spoke?.retiredPairs)) continue;
    const log = openLog(ctx, `${stack}.state`);
    const held = await stateAddresses(ctx, stack, log);
    log.end();
    if (held) changed = pruneRecord(record, stack, held) || changed;
  }
  if (changed) {
    writeEstate(ctx.estateFile, record);
    ctx.io.out(`privatelink: ${ctx.estateFile}: retired entries whose state is empty were removed (commit it)\n`);
  }
}

async function destroy(ctx: Context): Promise<number> {
  const steps = stepsOf(destroyPhases(ctx.deps));
  const ok = await schedule(
    new Map(steps.map((s) => [s.id, s.after])),
    "apply",
    (id) => runStep(ctx, steps.find((s) => s.id === id)!, "destroying", async (log, since) => recordResult(ctx, id, await tf(ctx, id, ["destroy", "-auto-approve", "-input=false", "-no-color", "-json"], log, true), since)),
    ctx.options.parallel,
  );
  markSkipped(ctx, steps);
  return ok ? 0 : 1;
}

/**
 * Applies a verified plan set: each step's saved plan (`terraform apply <plan>`), in the set's order. A step
 * planned before its upstream had its outputs is not applied: what depends on it waits, the rest goes on,
 * and the command ends with exit 1 and the command that continues.
 */
async function deployPlanSet(ctx: Context, set: ReturnType<typeof readPlanSet>): Promise<number> {
  // --step: the steps a pipeline job applies; what they wait for was applied by earlier jobs.
  const steps = set.steps.filter((s) => !ctx.options.steps || ctx.options.steps.includes(s.id));
  const replan: string[] = [];
  const ok = await schedule(
    new Map(steps.map((s) => [s.id, s.after.filter((a) => steps.some((o) => o.id === a))])),
    "apply",
    async (id) => {
      const step = steps.find((s) => s.id === id)!;
      if (step.replanAfter.length > 0) {
        const row = ctx.rows.get(step.stack)!;
        row.result = "pending";
        row.detail = `re-plan after ${step.replanAfter.join(", ")}`;
        replan.push(step.stack);
        ctx.progress.note(step.stack, `not applied: planned before ${step.replanAfter.join(", ")} had its outputs; re-plan it`);
        return false;
      }
      if (step.status === "no-changes") {
        const row = ctx.rows.get(step.stack)!;
        if (row.result === "skipped") row.result = "no changes";
        return true;
      }
      return runStep(ctx, step, `applying the reviewed plan${step.phase !== "stacks" ? ` (${step.phase})` : ""}`, async (log, since) =>
        recordResult(ctx, step.stack, await tf(ctx, step.stack, ["apply", "-input=false", "-no-color", "-json", path.join(set.dir, step.planFile)], log, true), since, step.phase !== "stacks" ? step.phase : ""),
      );
    },
    ctx.options.parallel,
  );
  markSkipped(ctx, steps.map((s) => ({ ...s, targets: [], firstTargets: [], why: "" })));
  await pruneEstate(ctx);
  const waiting = [...ctx.rows].filter(([, r]) => r.result === "skipped" && r.detail.startsWith("waited for")).map(([s]) => s);
  if (replan.length > 0) {
    const again = [...new Set([...replan, ...waiting])].sort();
    ctx.io.out(
      `\nprivatelink deploy --plan-set: ${again.join(", ")} ${again.length === 1 ? "was" : "were"} not applied: planned before what ${again.length === 1 ? "it reads" : "they read"} had its outputs. Continue with a fresh plan of ${again.length === 1 ? "it" : "them"} (another pull request, or):\n` +
        `  privatelink plan --stacks ${again.join(",")} --out ${set.name}-next && privatelink deploy --plan-set ${set.name}-next --auto-approve\n`,
    );
  }
  if (!set.complete) ctx.io.err(`privatelink deploy --plan-set: the plan set was written by a plan in which some stacks failed: those were not planned, so they were not applied\n`);
  return ok && set.complete ? 0 : 1;
}

/** Copies the project's lock file into every synthesized stack directory (only those without one unless `replace`). */
export function giveLockFile(outdir: string, lockFile: string, replace: boolean): void {
  for (const kind of ["stacks", "hcl"]) {
    const dir = path.join(outdir, kind);
    if (!fs.existsSync(dir)) continue;
    for (const stack of fs.readdirSync(dir)) {
      const target = path.join(dir, stack, ".terraform.lock.hcl");
      if (replace || !fs.existsSync(target)) fs.copyFileSync(lockFile, target);
    }
  }
}

async function lock(lockFile: string, outdir: string, options: OperateOptions, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const result = await writeLockFile(lockFile, env, options.platforms);
  if (!result.ok) {
    io.err(`privatelink lock: could not write ${lockFile}:\n      ${result.error.join("\n      ")}\n`);
    return 1;
  }
  io.out(`privatelink: wrote ${lockFile} (commit it): hashicorp/aws ${result.version} for ${result.hashed.join(", ")}\n`);
  if (result.missing.length > 0) {
    io.err(`privatelink lock: could not hash ${result.missing.join(", ")}: ${result.missingReason}. On ${result.missing.length === 1 ? "that platform" : "those platforms"} terraform refuses this lock ("does not match any of the checksums") until it is written where the registry, or a mirror that has ${result.missing.length === 1 ? "it" : "them"}, is reachable.\n`);
  }
  // Stacks already initialized keep their own lock files: refresh them from the project's.
  giveLockFile(outdir, lockFile, true);
  // Platforms asked for by name that could not be hashed fail the command; the default set only warns.
  return result.missing.length > 0 && options.platforms?.length ? 1 : 0;
}
