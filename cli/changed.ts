/**
 * `privatelink plan --changed-since REF`: which stacks a change touches. The topology and the estate record
 * as they were at the git reference REF are synthesized as data (for the current output directory, so
 * relative state paths are the same; nothing is written), and each stack's configuration is compared with
 * the current one:
 *
 * - a stack whose configuration differs, or that REF did not have, is planned;
 * - so is every stack that reads its outputs, transitively (a changed hub re-plans its spokes);
 * - retired stacks are always planned (their destroy is pending);
 * - every other stack is left out, and the summary says so.
 *
 * REF's synth runs in a worker thread while the current topology is synthesized (1,000 spokes: the two side
 * by side instead of one after the other; `npm run bench -- --changed-since`). git runs without a shell, and
 * REF is checked first (`git rev-parse --verify`); a REF that starts with `-` is refused (git would read it as
 * an option).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isMainThread, parentPort, Worker, workerData } from "worker_threads";
import { loadTopologyText } from "../topology/load";
import { UnreadableFile } from "../topology/files";
import { TopologyError } from "../topology/problems";
import { synthesizeConfigs } from "../synth/synthesize";
import { importsFileFor } from "../synth/imports";
import { UsageError } from "./kit";
import { Dependencies } from "./schedule";

export interface BaseRequest {
  readonly topologyFile: string;
  readonly estateFile: string;
  /** The current synth's output directory (REF's configurations are computed as if synthesized there). */
  readonly outdir: string;
  readonly ref: string;
  /** The emulator endpoint the current run targets (REF's topology is read with it too). */
  readonly targetEndpoint?: string;
}

/** REF's stacks as canonical JSON, or why every stack must be planned. */
export type Base = { readonly configs: ReadonlyMap<string, string>; readonly seconds: number } | { readonly note: string; readonly seconds: number };

export interface Changed {
  /** Stacks to plan. */
  readonly plan: ReadonlySet<string>;
  /** Why each is planned: changed, new, retired, or "reads <stack>". */
  readonly reasons: ReadonlyMap<string, string>;
  /** Stacks left out, and why. */
  readonly leftOut: ReadonlyMap<string, string>;
  /** Time REF's synth took (in its thread). */
  readonly seconds: number;
  /** Why every stack is planned, when REF cannot be compared with. */
  readonly note?: string;
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** A file's path in the repository (with / separators). */
function repoPath(root: string, file: string): string {
  const rel = path.relative(root, path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file))).split(path.sep).join("/");
  if (rel.startsWith("../")) throw new UsageError(`--changed-since: ${file} is outside the git repository ${root}`);
  return rel;
}

/** A file as it was at `ref`, or undefined when it did not exist there. */
function atRef(root: string, ref: string, file: string): string | undefined {
  const rel = repoPath(root, file);
  try {
    return git(root, ["show", `${ref}:${rel}`]);
  } catch {
    return undefined;
  }
}

/** JSON with every object's keys sorted: two configurations compare equal exactly when they are the same data. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

interface BaseJob {
  readonly topologyText: string;
  readonly source: string;
  readonly recordText?: string;
  /** REF's imports file (the stacks' import blocks are part of their configuration). */
  readonly importsText?: string;
  readonly outdir: string;
  readonly targetEndpoint?: string;
  /** Where files the topology names are read at REF: the repository, and the topology's directory in it. */
  readonly git?: { readonly root: string; readonly ref: string; readonly dir: string };
}

/** Reads a file named relative to the topology's directory as it was at REF (a symbolic link there is refused). */
function refReader(at: { readonly root: string; readonly ref: string; readonly dir: string }): (relative: string) => string {
  return (relative) => {
    const rel = path.posix.join(at.dir, relative);
    const entry = git(at.root, ["ls-tree", "-z", at.ref, "--", rel]);
    if (entry === "") throw new UnreadableFile(rel, `does not exist at ${at.ref}`);
    if (!entry.startsWith("100")) throw new UnreadableFile(rel, `is not a regular file at ${at.ref}`);
    return git(at.root, ["show", `${at.ref}:${rel}`]);
  };
}

/** REF's configurations, in whatever thread runs it. */
function synthesizeBase(job: BaseJob): Base {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  let model;
  try {
    model = loadTopologyText(job.topologyText, job.source, { targetEndpoint: job.targetEndpoint, readNamedFile: job.git ? refReader(job.git) : undefined }).model;
  } catch (error) {
    if (error instanceof TopologyError) return { note: "the topology at the reference is not valid", seconds: seconds() };
    throw error;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-base-"));
  try {
    const recordFile = path.join(scratch, "base.estate.json");
    if (job.recordText !== undefined) fs.writeFileSync(recordFile, job.recordText);
    const importsFile = path.join(scratch, "base.imports.json");
    if (job.importsText !== undefined) fs.writeFileSync(importsFile, job.importsText);
    let configs: Map<string, unknown>;
    try {
      configs = synthesizeConfigs(model, { outdir: job.outdir, estate: { file: recordFile, state: () => undefined }, importsFile });
    } catch {
      return { note: "the topology at the reference does not synthesize", seconds: seconds() };
    }
    return { configs: new Map([...configs].map(([stack, config]) => [stack, canonical(config)])), seconds: seconds() };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const WORKER_TASK = "privatelink:base-synth";

// In the worker thread: synthesize REF's topology and hand the canonical configurations back.
if (!isMainThread && (workerData as { task?: string } | null)?.task === WORKER_TASK) {
  try {
    const base = synthesizeBase((workerData as { job: BaseJob }).job);
    parentPort!.postMessage({ ok: true, base: "configs" in base ? { configs: [...base.configs], seconds: base.seconds } : base });
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: (error as Error).message });
  }
}

/**
 * Starts REF's synth: checks REF, reads the topology and the estate record at REF, and synthesizes them in a
 * worker thread (in this thread when running from TypeScript sources, as the tests do).
 */
export function startBase(request: BaseRequest): Promise<Base> {
  const { ref } = request;
  if (ref.startsWith("-") || /[\s\0]/.test(ref)) throw new UsageError(`--changed-since: ${JSON.stringify(ref)} is not a git reference`);
  const dir = path.dirname(path.resolve(request.topologyFile));
  let root: string;
  try {
    root = git(dir, ["rev-parse", "--show-toplevel"]).trim();
  } catch {
    throw new UsageError(`--changed-since ${ref}: ${dir} is not in a git repository`);
  }
  try {
    git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`--changed-since ${ref}: no commit ${ref} in this repository (fetch it first: CI checkouts are often shallow)`);
  }
  const topologyText = atRef(root, ref, request.topologyFile);
  if (topologyText === undefined) return Promise.resolve({ note: "the topology did not exist at the reference", seconds: 0 });
  const job: BaseJob = {
    topologyText,
    source: `${ref}:${request.topologyFile}`,
    recordText: atRef(root, ref, request.estateFile),
    importsText: atRef(root, ref, importsFileFor(request.topologyFile)),
    outdir: path.resolve(request.outdir),
    targetEndpoint: request.targetEndpoint,
    git: { root, ref, dir: path.posix.dirname(repoPath(root, request.topologyFile)) },
  };
  if (__filename.endsWith(".ts")) return Promise.resolve().then(() => synthesizeBase(job));
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { task: WORKER_TASK, job } });
    worker.once("message", (message: { ok: boolean; base?: any; error?: string }) => {
      void worker.terminate();
      if (!message.ok) reject(new Error(`--changed-since: synthesizing ${ref} failed: ${message.error}`));
      else resolve(message.base.configs ? { configs: new Map(message.base.configs), seconds: message.base.seconds } : message.base);
    });
    worker.once("error", reject);
  });
}

/** Compares the current output with REF's configurations: what to plan, and what is left out. */
export function compareWithBase(base: Base, input: { readonly outdir: string; readonly ref: string; readonly current: Dependencies; readonly retired: readonly string[] }): Changed {
  if (!("configs" in base)) return { plan: new Set(input.current.keys()), reasons: new Map(), leftOut: new Map(), seconds: base.seconds, note: base.note };
  const why = new Map<string, string>();
  for (const stack of input.current.keys()) {
    if (input.retired.includes(stack)) why.set(stack, "retired");
    else if (!base.configs.has(stack)) why.set(stack, "new");
    else if (canonical(JSON.parse(fs.readFileSync(path.join(input.outdir, "stacks", stack, "cdk.tf.json"), "utf8"))) !== base.configs.get(stack)) why.set(stack, "changed");
  }
  // What reads a planned stack's outputs is planned too, transitively.
  const plan = new Set(why.keys());
  for (let grew = true; grew; ) {
    grew = false;
    for (const [stack, ups] of input.current) {
      if (!plan.has(stack) && ups.some((u) => plan.has(u))) {
        plan.add(stack);
        why.set(stack, `reads ${ups.filter((u) => plan.has(u)).join(", ")}`);
        grew = true;
      }
    }
  }
  const leftOut = new Map([...input.current.keys()].filter((s) => !plan.has(s)).map((s) => [s, `unchanged since ${input.ref}, and so is everything it reads`]));
  return { plan, reasons: why, leftOut, seconds: base.seconds };
}
