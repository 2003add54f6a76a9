/**
 * `privatelink pipeline --format atlantis|terramate|github --out PATH`: the estate handed to the pipeline
 * engine a team already runs. Every file is written from the same phases `privatelink deploy` uses
 * (cli/phases.ts): one engine project (Atlantis), stack (Terramate) or matrix entry (GitHub Actions) per
 * step, each waiting for exactly the steps deploy makes it wait for, so the engine's order is deploy's order
 * (a test reads the files back with YAML and HCL parsers and compares the waves).
 *
 * - A targeted step (pairs removed from a spoke, a spoke leaving a Profile) is its own project, stack or
 *   matrix entry, applying `-target`s in the stack's directory before the hub changes.
 * - The stacks are synthesized (`npx privatelink synth`) before any terraform runs; spoke stacks need `node`
 *   on the runner for the handshake (docs/pipelines.md says what each engine needs).
 * - The files name the topology and the output directory relative to the repository root (the current
 *   directory); regenerate them when the topology changes (a new stack is a new project).
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { loadTopologyFile } from "../topology/load";
import { estateFileFor, readEstate } from "../synth/estate";
import { importsFileFor } from "../synth/imports";
import { writeFileAtomic } from "../topology/files";
import { synthesize } from "../synth/synthesize";
import { CommandSpec, FlagSpec, outputDir, outputPath, Parsed, stringFlag, topologyFile, UsageError } from "./kit";
import { Io, projectLockFile } from "./operate";
import { Phase, phasesOfSynth, Step, stepsOf, waves } from "./phases";
import { dependenciesOf } from "./schedule";
import { hclString } from "../modules/literals";

export const PIPELINE_FORMATS = ["atlantis", "terramate", "github"] as const;
export type PipelineFormat = (typeof PIPELINE_FORMATS)[number];

export const PIPELINE_FLAGS: FlagSpec[] = [
  { name: "--format", value: "FORMAT", choices: [...PIPELINE_FORMATS], help: "the engine" },
  { name: "--out", value: "PATH", path: "write-file", help: "atlantis and github: the file to write (default atlantis.yaml, .github/workflows/privatelink.yml); terramate: the directory of the stacks (default terramate)" },
];

const DEFAULT_OUT: Record<PipelineFormat, string> = { atlantis: "atlantis.yaml", github: path.join(".github", "workflows", "privatelink.yml"), terramate: "terramate" };

export interface PipelineInput {
  readonly phases: readonly Phase[];
  /** The topology file, relative to the repository root, with forward slashes. */
  readonly topology: string;
  /** The synthesized output directory, relative to the repository root. */
  readonly outdir: string;
}

/** A step's name in the engines (Atlantis project, Terramate stack, matrix entry). */
export function stepName(step: Step): string {
  return step.id.replace(":", "--");
}

const posix = (p: string) => p.split(path.sep).join("/");

/** The terraform arguments of a step's apply (its -targets). */
function targets(step: Step): string[] {
  return step.targets.map((t) => `-target=${t}`);
}

export function atlantisConfig(input: PipelineInput): string {
  const steps = stepsOf(input.phases).filter((s) => s.phase !== "old-pairs");
  const wave = waves(steps);
  const synth = `cd "$(git rev-parse --show-toplevel)" && npx --no-install privatelink synth --topology ${shellWord(input.topology)}`;
  const workflows: Record<string, unknown> = {
    privatelink: {
      plan: { steps: [{ run: synth }, "init", "plan"] },
      apply: { steps: ["apply"] },
    },
  };
  const projects = steps.map((step) => {
    const targeted = step.targets.length > 0 || step.firstTargets.length > 0;
    const workflow = targeted ? `privatelink-${stepName(step)}` : "privatelink";
    if (targeted) {
      const extra = step.targets.length > 0 ? targets(step) : step.firstTargets.map((t) => `-target=${t}`);
      workflows[workflow] = { plan: { steps: [{ run: synth }, "init", { plan: { extra_args: extra } }] }, apply: { steps: ["apply"] } };
    }
    return {
      name: stepName(step),
      dir: posix(path.join(input.outdir, "stacks", step.stack)),
      workflow,
      execution_order_group: wave.get(step.id)!,
      ...(step.after.length ? { depends_on: step.after.map((id) => stepName(steps.find((s) => s.id === id)!)) } : {}),
      autoplan: { enabled: true, when_modified: [posix(path.relative(path.join(input.outdir, "stacks", step.stack), input.topology)), "cdk.tf.json"] },
    };
  });
  const header = [
    "# Written by `npx privatelink pipeline --format atlantis` from the topology: regenerate it when the topology changes.",
    "# One project per step of `privatelink deploy`, in its order (execution_order_group, depends_on). The runner needs",
    "# node >= 20 (the synth, and the handshake of spoke stacks) and terraform >= 1.10; see docs/pipelines.md.",
  ];
  return `${header.join("\n")}\n${stringify({ version: 3, automerge: false, parallel_plan: false, parallel_apply: true, abort_on_execution_order_fail: true, projects, workflows }, { lineWidth: 0 })}`;
}

/** Terramate: a stack per step under `root`, whose `deploy` script applies the synthesized stack's directory. */
export function terramateFiles(input: PipelineInput, root: string): Map<string, string> {
  const steps = stepsOf(input.phases).filter((s) => s.phase !== "old-pairs");
  const files = new Map<string, string>();
  const dirOf = (step: Step) => posix(path.join(root, step.phase === "stacks" ? "stacks" : "steps", stepName(step)));
  files.set(
    posix(path.join(root, "terramate.tm.hcl")),
    [
      "# Written by `npx privatelink pipeline --format terramate`: regenerate it when the topology changes.",
      "# Run in order: terramate script run deploy (every stack after the stacks it lists in `after`).",
      "terramate {",
      "  config {",
      "  }",
      "}",
      "",
    ].join("\n"),
  );
  for (const step of steps) {
    const dir = dirOf(step);
    const chdir = posix(path.relative(dir, path.join(input.outdir, "stacks", step.stack)));
    const apply = ["terraform", `-chdir=${chdir}`, "apply", "-auto-approve", "-input=false", ...(step.targets.length ? targets(step) : [])];
    const commands = [["terraform", `-chdir=${chdir}`, "init", "-input=false"], ...(step.firstTargets.length ? [[...apply, ...step.firstTargets.map((t) => `-target=${t}`)]] : []), apply];
    files.set(
      `${dir}/stack.tm.hcl`,
      [
        `# privatelink step ${step.id}: ${step.why}`,
        "stack {",
        `  id          = ${hcl(stepName(step))}`,
        `  name        = ${hcl(stepName(step))}`,
        `  description = ${hcl(`${step.stack}: ${step.why}`)}`,
        `  tags        = [${hcl("privatelink")}, ${hcl(`privatelink-${step.phase}`)}]`,
        `  after       = [${step.after.map((id) => hcl(`/${dirOf(steps.find((s) => s.id === id)!)}`)).join(", ")}]`,
        "}",
        "",
        'script "deploy" {',
        `  description = ${hcl(`apply ${step.stack}${step.targets.length ? " (targeted)" : ""}`)}`,
        "  job {",
        `    commands = [${commands.map((c) => `[${c.map(hcl).join(", ")}]`).join(", ")}]`,
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  }
  return files;
}

export function githubWorkflow(input: PipelineInput): string {
  const steps = stepsOf(input.phases).filter((s) => s.phase !== "old-pairs");
  const wave = waves(steps);
  const last = Math.max(0, ...wave.values());
  const stacks = [...new Set(steps.map((s) => s.stack))].sort();
  const setup = [
    { uses: "actions/checkout@v4" },
    { uses: "actions/setup-node@v4", with: { "node-version": 22 } },
    { uses: "hashicorp/setup-terraform@v3", with: { terraform_version: "1.11.4", terraform_wrapper: false } },
    { run: "npm ci" },
  ];
  const jobs: Record<string, unknown> = {
    plan: {
      "runs-on": "ubuntu-latest",
      strategy: { "fail-fast": false, matrix: { stack: stacks } },
      steps: [
        ...setup,
        { run: `npx privatelink plan --topology ${shellWord(input.topology)} --stacks "\${{ matrix.stack }}" --out "planset/\${{ matrix.stack }}" --summary-md "summary-\${{ matrix.stack }}.md"` },
        { uses: "actions/upload-artifact@v4", if: "always()", with: { name: "plan-${{ matrix.stack }}", path: "planset/${{ matrix.stack }}\nsummary-${{ matrix.stack }}.md" } },
      ],
    },
  };
  for (let w = 1; w <= last; w++) {
    const include = steps.filter((s) => wave.get(s.id) === w).map((s) => ({ step: s.id, stack: s.stack }));
    jobs[`apply-wave-${w}`] = {
      if: "github.event_name == 'push' && github.ref == 'refs/heads/main'",
      needs: w === 1 ? ["plan"] : [`apply-wave-${w - 1}`],
      "runs-on": "ubuntu-latest",
      environment: "production",
      strategy: { "fail-fast": true, "max-parallel": 8, matrix: { include } },
      steps: [
        ...setup,
        { uses: "actions/download-artifact@v4", with: { name: "plan-${{ matrix.stack }}", path: "planset/${{ matrix.stack }}" } },
        { run: `npx privatelink deploy --topology ${shellWord(input.topology)} --plan-set "planset/\${{ matrix.stack }}" --step "\${{ matrix.step }}" --auto-approve` },
      ],
    };
  }
  const header = [
    "# Written by `npx privatelink pipeline --format github` from the topology: regenerate it when the topology changes.",
    "# Plans every stack as a matrix job (a plan set per stack, uploaded as an artifact), then applies the reviewed",
    "# plans in the waves of `privatelink deploy` (apply-wave-N waits for apply-wave-N-1). State must be shared (S3",
    "# backend): each job runs on its own runner. See docs/pipelines.md.",
  ];
  return `${header.join("\n")}\n${stringify({ name: "privatelink", on: { pull_request: { paths: [input.topology] }, push: { branches: ["main"], paths: [input.topology] } }, permissions: { contents: "read" }, concurrency: { group: "privatelink", "cancel-in-progress": false }, jobs }, { lineWidth: 0 })}`;
}

/** A word for a shell command line: the topology path is ours to quote (letters, digits, `./_-` pass as they are). */
function shellWord(text: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** An HCL string literal (modules/literals.ts): nothing in it is interpolated. */
const hcl = hclString;

export async function pipelineCommand(parsed: Parsed, spec: CommandSpec, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const format = stringFlag(parsed, "--format") as PipelineFormat | undefined;
  if (!format) throw new UsageError(`--format is required: ${PIPELINE_FORMATS.join(", ")}`, spec);
  const named = stringFlag(parsed, "--out");
  const out = named ?? DEFAULT_OUT[format];
  // The default's directory (.github/workflows) is created; a directory named by --out must exist.
  if (!named) fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  if (format !== "terramate") outputPath("--out", out, spec);
  else outputDir("--out", out, spec, "terramate.tm.hcl");
  const topology = topologyFile(parsed, env);
  const model = loadTopologyFile(topology, { targetEndpoint: env.TARGET_ENDPOINT || undefined }).model;
  const estateFile = env.PRIVATELINK_ESTATE || estateFileFor(topology);
  const before = readEstate(estateFile);
  const outdir = path.resolve(env.CDKTF_OUTDIR || "cdktf.out");
  const synth = synthesize(model, { outdir, lockFile: projectLockFile(topology), estate: { file: estateFile }, importsFile: importsFileFor(topology) });
  const deps = dependenciesOf(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")));
  const phases = phasesOfSynth({ model, deps, before, retired: synth.retired });
  const input: PipelineInput = { phases, topology: posix(path.relative(".", path.resolve(topology))), outdir: posix(path.relative(".", outdir)) || "." };
  const written: string[] = [];
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileAtomic(file, text);
    written.push(file);
  };
  if (format === "atlantis") write(out, atlantisConfig(input));
  else if (format === "github") write(out, githubWorkflow(input));
  else for (const [file, text] of terramateFiles(input, posix(path.relative(".", path.resolve(out))))) write(file, text);
  const steps = stepsOf(phases).filter((s) => s.phase !== "old-pairs");
  io.out(`privatelink pipeline: ${format}: ${steps.length} step(s) in ${Math.max(0, ...waves(steps).values())} wave(s), written to ${format === "terramate" ? `${out}/ (${written.length} files)` : out}\n`);
  const waiting = Object.keys(synth.retired.waiting);
  if (waiting.length) io.err(`privatelink pipeline: ${waiting.join(", ")} keep their old pairs until \`privatelink deploy --stacks ${waiting.join(",")}\` runs once after their Profile association is applied (engines cannot read the state in between; docs/profiles.md)\n`);
  return 0;
}
