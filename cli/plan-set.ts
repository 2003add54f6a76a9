/**
 * A plan set: what `privatelink plan --out DIR` reviewed, for `privatelink deploy --plan-set DIR` to apply
 * exactly, in another process or CI job (an uploaded artifact). DIR holds each step's binary plan and
 * `manifest.json`: per step its stack, phase, plan file and the plan's sha256, what it waits for, whether it
 * must be re-planned; per stack the sha256 of its synthesized configuration (cdk.tf.json and its assets);
 * the sha256 of the topology and of the estate record; and the order (waves).
 *
 * Before any apply, deploy refuses (exit 2, with the reason) a set made from another topology, another
 * estate record or other synthesized output, or whose plan files changed. Terraform's own check remains:
 * a plan whose stack's state changed since is "stale", and terraform refuses it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

export const PLAN_SET_FORMAT = "privatelink-plan-set";
export const PLAN_SET_VERSION = 1;

export class PlanSetError extends Error {
  constructor(readonly dir: string, detail: string) {
    super(`plan set ${dir}: ${detail}`);
    this.name = "PlanSetError";
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const SHA = /^[0-9a-f]{64}$/;

const stepSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*(:[a-z-]+)?$/),
  stack: z.string().regex(NAME),
  phase: z.enum(["retired-pairs", "leaving-profile", "stacks"]),
  after: z.array(z.string()),
  plan: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*\.tfplan$/),
  planSha256: z.string().regex(SHA),
  status: z.enum(["changes", "no-changes"]),
  replanAfter: z.array(z.string().regex(NAME)),
});

const manifestSchema = z.strictObject({
  format: z.literal(PLAN_SET_FORMAT),
  version: z.literal(PLAN_SET_VERSION),
  created: z.string(),
  complete: z.boolean(),
  topology: z.strictObject({ file: z.string(), sha256: z.string().regex(SHA) }),
  estate: z.strictObject({ file: z.string(), sha256: z.string().regex(SHA).nullable() }),
  stacks: z.array(z.strictObject({ name: z.string().regex(NAME), configSha256: z.string().regex(SHA) })),
  steps: z.array(stepSchema),
  order: z.array(z.array(z.string())),
});

export type PlanSetManifest = z.infer<typeof manifestSchema>;

/** One step as `plan` hands it over: its plan file is still in the stack's directory. */
export interface PlanSetStep {
  readonly id: string;
  readonly stack: string;
  readonly phase: "retired-pairs" | "leaving-profile" | "stacks";
  readonly after: readonly string[];
  /** Absolute path of the saved plan (in the stack's directory) when writing; the file name in DIR when read. */
  readonly planFile: string;
  readonly status: "changes" | "no-changes" | "failed" | "skipped";
  readonly replanAfter: readonly string[];
}

export interface PlanSet {
  /** The directory, resolved. */
  readonly dir: string;
  /** The directory as the user named it (messages, the command that continues). */
  readonly name: string;
  readonly manifest: PlanSetManifest;
  readonly steps: readonly PlanSetStep[];
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly configSha256: string }>;
  readonly complete: boolean;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

function fileSha(file: string): string | null {
  return fs.existsSync(file) ? sha256(fs.readFileSync(file)) : null;
}

/** The digest of a synthesized stack: its cdk.tf.json and every asset file, by relative path. */
export function stackConfigSha(outdir: string, stack: string): string {
  const dir = path.join(outdir, "stacks", stack);
  const hash = createHash("sha256");
  hash.update(fs.readFileSync(path.join(dir, "cdk.tf.json")));
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else hash.update(`\0${path.relative(dir, p)}\0`).update(fs.readFileSync(p));
    }
  };
  walk(path.join(dir, "assets"));
  return hash.digest("hex");
}

/** The waves of the steps (a step's wave is one more than the latest it waits for). */
function order(steps: ReadonlyArray<{ id: string; after: readonly string[] }>): string[][] {
  const wave = new Map<string, number>();
  const of = (id: string, seen: Set<string> = new Set()): number => {
    if (wave.has(id)) return wave.get(id)!;
    const step = steps.find((s) => s.id === id);
    if (!step || seen.has(id)) return 0;
    seen.add(id);
    const w = 1 + Math.max(0, ...step.after.map((a) => of(a, seen)));
    wave.set(id, w);
    return w;
  };
  for (const s of steps) of(s.id);
  const waves: string[][] = [];
  for (const [id, w] of wave) (waves[w - 1] ??= []).push(id);
  return waves.map((w) => w.sort());
}

/** Writes the plan set into `dir` (replacing a previous plan set there; refusing anything else). */
export function writePlanSet(dir: string, input: { topologyFile: string; estateFile: string; outdir: string; steps: readonly PlanSetStep[]; complete: boolean }): void {
  const target = path.resolve(dir);
  if (fs.existsSync(target)) {
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !entries.includes("manifest.json")) throw new PlanSetError(dir, "exists and is not empty, and holds no plan set (manifest.json): refusing to replace it");
  }
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const steps = input.steps
      .filter((s) => s.status === "changes" || s.status === "no-changes")
      .map((s) => {
        const plan = `${s.id.replace(/:/g, ".")}.tfplan`;
        fs.copyFileSync(s.planFile, path.join(staging, plan));
        return { id: s.id, stack: s.stack, phase: s.phase, after: [...s.after], plan, planSha256: sha256(fs.readFileSync(path.join(staging, plan))), status: s.status as "changes" | "no-changes", replanAfter: [...s.replanAfter] };
      });
    const stacks = [...new Set(steps.map((s) => s.stack))].sort().map((name) => ({ name, configSha256: stackConfigSha(input.outdir, name) }));
    const manifest: PlanSetManifest = {
      format: PLAN_SET_FORMAT,
      version: PLAN_SET_VERSION,
      created: new Date().toISOString(),
      complete: input.complete,
      topology: { file: input.topologyFile, sha256: fileSha(input.topologyFile)! },
      estate: { file: input.estateFile, sha256: fileSha(input.estateFile) },
      stacks,
      steps,
      order: order(steps),
    };
    fs.writeFileSync(path.join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const previous = `${target}.previous-${process.pid}`;
    if (fs.existsSync(target)) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    fs.rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads and checks a plan set's manifest (not yet against the topology: see verifyPlanSet). */
export function readPlanSet(dir: string): PlanSet {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new PlanSetError(dir, "is not a directory (write one with privatelink plan --out DIR)");
  let doc: unknown;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > 8 * 1024 * 1024) throw new Error("not a regular file of at most 8 MiB");
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new PlanSetError(dir, `manifest.json cannot be read: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) throw new PlanSetError(dir, `manifest.json is not a plan set manifest: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  const manifest = parsed.data;
  const ids = new Set(manifest.steps.map((s) => s.id));
  for (const step of manifest.steps) {
    const unknown = step.after.filter((a) => !ids.has(a));
    if (unknown.length) throw new PlanSetError(dir, `step ${step.id} waits for ${unknown.join(", ")}, which the set does not have`);
  }
  return {
    dir: path.resolve(dir),
    name: dir,
    manifest,
    steps: manifest.steps.map((s) => ({ id: s.id, stack: s.stack, phase: s.phase, after: s.after, planFile: s.plan, status: s.status, replanAfter: s.replanAfter })),
    stacks: manifest.stacks,
    complete: manifest.complete,
  };
}

/**
 * Checks a plan set against what is here now. Before the synth: the topology, the estate record and the
 * plan files. After it: every stack's synthesized configuration.
 */
export function verifyPlanSet(set: PlanSet, against: { topologyFile: string; estateFile: string; outdir?: string; phase: "before-synth" | "after-synth" }): void {
  const { manifest } = set;
  if (against.phase === "before-synth") {
    const topology = fileSha(against.topologyFile);
    if (topology !== manifest.topology.sha256) {
      throw new PlanSetError(set.name, `was planned from another topology: ${against.topologyFile} (sha256 ${topology?.slice(0, 12) ?? "missing"}) is not the reviewed one (${manifest.topology.sha256.slice(0, 12)}); plan again`);
    }
    const estate = fileSha(against.estateFile);
    if (estate !== manifest.estate.sha256) {
      throw new PlanSetError(set.name, `was planned with another estate record: ${against.estateFile} (sha256 ${estate?.slice(0, 12) ?? "missing"}) is not the one of the plan (${manifest.estate.sha256?.slice(0, 12) ?? "none"}); plan again`);
    }
    for (const step of manifest.steps) {
      const file = path.join(set.dir, step.plan);
      const digest = fileSha(file);
      if (digest !== step.planSha256) throw new PlanSetError(set.name, `${step.plan} ${digest ? "was changed after the plan" : "is missing"} (sha256 ${digest?.slice(0, 12) ?? "-"}, reviewed ${step.planSha256.slice(0, 12)})`);
    }
    return;
  }
  for (const stack of manifest.stacks) {
    if (!fs.existsSync(path.join(against.outdir!, "stacks", stack.name, "cdk.tf.json"))) throw new PlanSetError(set.name, `${stack.name} is no longer synthesized from this topology; plan again`);
    const digest = stackConfigSha(against.outdir!, stack.name);
    if (digest !== stack.configSha256) {
      throw new PlanSetError(set.name, `${stack.name}'s synthesized configuration differs from the one planned (sha256 ${digest.slice(0, 12)}, reviewed ${stack.configSha256.slice(0, 12)}): another version of privatelink, or another build, synthesized it; plan again`);
    }
  }
}
