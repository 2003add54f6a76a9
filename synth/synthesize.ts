import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "../framework/core";
import { TopologyModel } from "../topology/model";
import { buildStacks } from "../stacks";
import { localStateFile, PLACE_FILES_CONTEXT, PrivateLinkStack } from "../stacks/base-stack";
import { applyEstate, EstateError, EstateOptions, localStateReader, StateReader, writeEstate } from "./estate";

import { collectBlockPaths, renderHcl } from "./hcl";
import { applyImports, ImportsError, readImports } from "./imports";

export interface SynthOptions {
  /** Output directory (default: `$CDKTF_OUTDIR`, else `cdktf.out`). */
  readonly outdir?: string;
  /** Also write the HCL export under `<outdir>/hcl/<stack>/main.tf` (default true). */
  readonly hcl?: boolean;
  /**
   * Place the stacks' files (the handshake bundle); false only to compare configurations (`--changed-since`).
   * @default true
   */
  readonly assets?: boolean;
  /**
   * The project's dependency lock file (`terraform init` writes one per stack): copied into every stack
   * directory that has none yet, so each stack installs the provider versions the project committed and
   * the cdktf CLI finds a lock file instead of asking the registry.
   * @default - none
   */
  readonly lockFile?: string;
  /**
   * The estate record (see synth/estate.ts): what was removed from the topology stays in the output,
   * retired, until its state is empty, so an apply runs its destroy path. Written after the synth.
   * @default - no record: a removed stack simply disappears from the output
   */
  readonly estate?: EstateOptions;
  /** The topology's imports file (`importsFileFor(topology)`): import blocks of adopted resources. Missing: none. */
  readonly importsFile?: string;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly resources: number }>;
  /** Things the user should know (e.g. state files of an older layout to move); never fatal. */
  readonly warnings: readonly string[];
  /** What is kept retired (removed from the topology, still in a state). */
  readonly retired: {
    readonly stacks: readonly string[];
    readonly pairs: Readonly<Record<string, readonly string[]>>;
    /** Spokes switching to a Route 53 Profile whose old pairs stay until the Profile association is applied. */
    readonly waiting: Readonly<Record<string, readonly string[]>>;
  };
}

/** The output directory or the state directory cannot be used: bad input (exit 2), with the setting to change. */
export class SynthError extends Error {
  constructor(
    message: string,
    /** The setting at fault, e.g. `CDKTF_OUTDIR` or `backend.directory`. */
    readonly setting: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = "SynthError";
  }
}

/**
 * Synthesizes every stack of the model. Output is built in a sibling staging directory and swapped in
 * only when complete, so a failed synth leaves a previous output exactly as it was.
 *
 * Layout: `<outdir>/stacks/<stack>/cdk.tf.json` (+ `assets/`), and the HCL export in
 * `<outdir>/hcl/<stack>/main.tf` (+ the same assets): both directories are self-contained Terraform
 * root modules at the same depth, so relative state paths work from either.
 */
export function synthesize(model: TopologyModel, options: SynthOptions = {}): SynthResult {
  const setting = options.outdir ? "outdir" : process.env.CDKTF_OUTDIR ? "CDKTF_OUTDIR" : "output directory (cdktf.out)";
  const outdir = path.resolve(options.outdir || process.env.CDKTF_OUTDIR || "cdktf.out");
  assertReplaceable(outdir, setting);
  assertStateOutside(model, outdir);
  // A missing parent (CDKTF_OUTDIR=build/out on a fresh checkout) is created, as cdktf does.
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  removeAbandoned(outdir);
  const lockFile = options.lockFile ? usableLockFile(options.lockFile) : undefined;
  const staging = `${outdir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const { app, estate, importWarnings } = buildApp(model, staging, options.estate, options.importsFile);
    synthApp(app);
    const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    if (options.assets ?? true) placeFiles(staging, stacks);
    const summary = stacks.map((stack) => {
      const stackDir = path.join(staging, "stacks", stack.node.id);
      const config = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      if (options.hcl ?? true) writeHcl(stack, config, stackDir, path.join(staging, "hcl", stack.node.id));
      const resources = Object.values((config.resource ?? {}) as Record<string, object>).reduce((n, byType) => n + Object.keys(byType).length, 0);
      return { name: stack.node.id, resources };
    });
    const moves: Array<readonly [string, string]> = [];
    let warnings: string[];
    // The estate record and the output move together: the record is written first (a stack recorded nowhere
    // could never be retired), and put back as it was when the output cannot be swapped in.
    const recordFile = options.estate?.file;
    const previousRecord = recordFile && fs.existsSync(recordFile) ? fs.readFileSync(recordFile) : undefined;
    let recordWritten = false;
    try {
      warnings = carryOver(outdir, staging, moves);
      if (lockFile) seedLockFiles(staging, lockFile);
      if (estate) {
        try {
          recordWritten = writeEstate(recordFile!, estate.record);
        } catch (error) {
          throw new SynthError(`the estate record cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was changed: the output and the record stay as they were`, recordFile!);
        }
      }
      swapInto(staging, outdir);
    } catch (error) {
      // Working files go back where they were before the staging directory is removed; so does the record.
      for (const [from, to] of moves.reverse()) {
        try {
          fs.mkdirSync(path.dirname(from), { recursive: true });
          fs.renameSync(to, from);
        } catch {}
      }
      if (recordWritten) {
        try {
          if (previousRecord) fs.writeFileSync(recordFile!, previousRecord);
          else fs.rmSync(recordFile!, { force: true });
        } catch {}
      }
      throw error;
    }
    const retired = {
      stacks: [...(estate?.retired.stacks.keys() ?? [])].sort(),
      pairs: Object.fromEntries(estate?.retired.pairs ?? []),
      waiting: Object.fromEntries(estate?.retired.waiting ?? []),
    };
    return { outdir, stacks: summary, warnings: [...warnings, ...importWarnings, ...olderStateFiles(model, summary.map((s) => s.name)), ...previewWarnings(model)], retired };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The app of a model: its stacks and, with an estate record, what it keeps retired. */
function buildApp(
  model: TopologyModel,
  outdir: string,
  estateOptions: EstateOptions | undefined,
  importsFile?: string,
): { app: App; estate?: ReturnType<typeof applyEstate>; importWarnings: string[] } {
  const app = new App({ outdir, context: { [PLACE_FILES_CONTEXT]: true } });
  const built = buildStacks(app, model, { handshakeScript: estateOptions?.handshakeScript });
  const importWarnings: string[] = [];
  try {
    const imports = importsFile ? readImports(importsFile, model.name) : undefined;
    if (imports) {
      const ignored = applyImports(app.node.children.filter(TerraformStack.isStack), imports);
      if (ignored.length > 0) {
        const sample = ignored.slice(0, 5).map((e) => `${e.stack} ${e.to}`).join(", ");
        importWarnings.push(`${importsFile}: ${ignored.length} import(s) name resources no longer in the configuration, left out (${sample}${ignored.length > 5 ? ", ..." : ""}); remove them from the file once the adoption is applied`);
      }
    }
  } catch (error) {
    if (error instanceof ImportsError) throw new SynthError(error.message.slice(error.file.length + 2), error.file);
    throw error;
  }
  if (!estateOptions) return { app, importWarnings };
  try {
    return { app, estate: applyEstate(app, model, built, estateOptions, defaultStateReader(model)), importWarnings };
  } catch (error) {
    if (error instanceof EstateError) throw new SynthError(error.message.slice(error.file.length + 2), error.file);
    throw error;
  }
}

/**
 * Each stack's configuration as `synthesize` would write it into `outdir` (relative state paths depend on
 * it), as data, writing nothing: what `plan --changed-since` compares. The estate record is read, not written.
 */
export function synthesizeConfigs(model: TopologyModel, options: { readonly outdir: string; readonly estate?: EstateOptions; readonly importsFile?: string }): Map<string, unknown> {
  const { app } = buildApp(model, path.resolve(options.outdir), options.estate, options.importsFile);
  const stacks = app.node.findAll().filter(TerraformStack.isStack);
  return new Map(stacks.map((stack) => [stack.node.id, stack.toTerraform()]));
}

/**
 * What `App.synth()` does, without its "preparing" pass: that pass resolves every value of every stack once
 * more to find cdktf cross-stack references (tokens of one stack used in another) and add their outputs and
 * remote states. This package's stacks read each other through UpstreamOutputs (plain expressions), never
 * through cross-stack tokens, so the pass finds nothing and costs a fifth of the synth; a test holds that the
 * output is byte for byte the framework's own.
 */
function synthApp(app: App): void {
  const stacks = app.node.findAll().filter(TerraformStack.isStack);
  const session = { outdir: app.outdir, skipValidation: app.skipValidation, manifest: app.manifest };
  for (const stack of stacks) stack.synthesizer.synthesize(session);
  if (!app.skipValidation) {
    const problems = app.node.validate();
    if (problems.length) throw new Error(`Validation failed with the following errors:\n  ${problems.join("\n  ")}`);
  }
  app.manifest.writeToFile();
}

/**
 * Places the files the stacks registered (the handshake bundle of spoke stacks): one copy per output, the
 * other stacks' files hard links to it (a copy where the file system cannot link). 1,000 spokes write one
 * 0.5 MB bundle, not 500 MB; a pipeline that copies a stack's directory still gets a real file.
 */
function placeFiles(outdir: string, stacks: readonly TerraformStack[]): void {
  const first = new Map<string, string>();
  for (const stack of stacks) {
    if (!(stack instanceof PrivateLinkStack)) continue;
    for (const [relative, source] of stack.files) {
      const target = path.join(outdir, "stacks", stack.node.id, ...relative.split("/"));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const copy = first.get(source);
      if (copy === undefined) {
        fs.copyFileSync(source, target);
        first.set(source, target);
        continue;
      }
      try {
        fs.linkSync(copy, target);
      } catch {
        fs.copyFileSync(copy, target);
      }
    }
  }
}

/** Local backend: the state files say what each stack holds. S3: unknown at synth (`privatelink deploy` reads it). */
export function defaultStateReader(model: TopologyModel): StateReader {
  return model.backend.kind === "local" ? localStateReader((stack) => localStateFile(model, stack)) : () => undefined;
}

function writeHcl(stack: TerraformStack, config: Record<string, never>, stackDir: string, hclDir: string): void {
  fs.mkdirSync(hclDir, { recursive: true });
  fs.writeFileSync(path.join(hclDir, "main.tf"), renderHcl(config, collectBlockPaths(stack, config)));
  const assets = path.join(stackDir, "assets");
  if (fs.existsSync(assets)) linkTree(assets, path.join(hclDir, "assets"));
}

/**
 * The HCL directory gets the same assets as the JSON one: hard links (the files are immutable build
 * output; 500 spokes would otherwise write the handshake bundle twice, ~280 MB), copies across
 * filesystems. A pipeline that copies the directory still gets real files.
 */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      linkTree(source, target);
      continue;
    }
    try {
      fs.linkSync(source, target);
    } catch {
      fs.copyFileSync(source, target);
    }
  }
}

/** The output directory is replaced wholesale: refuse anything that is not a previous synth output. */
function assertReplaceable(outdir: string, setting: string): void {
  const cwd = path.resolve(".");
  if (cwd === outdir || cwd.startsWith(outdir + path.sep)) {
    throw new SynthError(`refusing to synthesize into ${outdir}: it contains the working directory`, setting);
  }
  if (fs.existsSync(outdir) && !fs.statSync(outdir).isDirectory()) {
    throw new SynthError(`refusing to synthesize into ${outdir}: it is a file`, setting);
  }
  if (fs.existsSync(outdir) && fs.readdirSync(outdir).length > 0 && !fs.existsSync(path.join(outdir, "manifest.json"))) {
    throw new SynthError(`refusing to replace ${outdir}: it is not empty and holds no previous synth output (manifest.json)`, setting);
  }
}

/** Local state must live outside the output directory, which every synth replaces. */
function assertStateOutside(model: TopologyModel, outdir: string): void {
  if (model.backend.kind !== "local") return;
  const directory = path.resolve(model.backend.directory ?? ".");
  if (directory === outdir || directory.startsWith(outdir + path.sep)) {
    throw new SynthError(
      `the state directory ${directory} is inside the output directory ${outdir}, which every synth replaces: the state would be lost`,
      "backend.directory",
    );
  }
}

/**
 * State files of the layout before 0.2 (`terraform.<stack>.tfstate`, not keyed by the topology), for
 * stacks whose current state file does not exist yet: the user moves them (never done behind their back).
 */
function olderStateFiles(model: TopologyModel, stacks: readonly string[]): string[] {
  if (model.backend.kind !== "local") return [];
  const warnings: string[] = [];
  for (const stack of stacks) {
    const current = localStateFile(model, stack);
    const older = path.join(path.dirname(current), `terraform.${stack}.tfstate`);
    if (fs.existsSync(older) && !fs.existsSync(current)) {
      warnings.push(
        `the state of ${stack} is at ${path.relative(".", older)}, the layout before 0.2; state files are now keyed by the topology's name. Move it before the next plan: mv ${path.relative(".", older)} ${path.relative(".", current)}`,
      );
    }
  }
  return warnings;
}

/** What synth writes: everything else in the output directory belongs to the user and Terraform. */
const GENERATED_TOP = new Set(["manifest.json", "stacks", "hcl"]);
const GENERATED_IN_STACK = new Set(["cdk.tf.json", "main.tf", "assets"]);
/** Where the working files of a stack that is no longer synthesized are kept. */
export const ORPHANED_DIR = "orphaned";

/**
 * Moves what synth did not write from the previous output into the new one: each stack directory's
 * `.terraform/`, `.terraform.lock.hcl`, saved plans, and anything else Terraform, the cdktf CLI or the
 * user put there, and top-level entries (logs). A re-synth never deletes working state. The files of a
 * stack that is no longer synthesized go to `<outdir>/orphaned/<stacks|hcl>/<stack>/`, with a warning.
 */
function carryOver(outdir: string, staging: string, moves: Array<readonly [string, string]>): string[] {
  if (!fs.existsSync(path.join(outdir, "manifest.json"))) return [];
  const warnings: string[] = [];
  const move = (from: string, to: string) => {
    fs.renameSync(from, to);
    moves.push([from, to]);
  };
  for (const entry of fs.readdirSync(outdir)) {
    if (!GENERATED_TOP.has(entry)) move(path.join(outdir, entry), path.join(staging, entry));
  }
  for (const kind of ["stacks", "hcl"]) {
    const old = path.join(outdir, kind);
    if (!fs.existsSync(old)) continue;
    for (const stack of fs.readdirSync(old)) {
      const from = path.join(old, stack);
      const stat = fs.lstatSync(from);
      // A stack directory that is a symbolic link is not ours: its target's files are never moved (they would
      // leave the directory it points to); the link goes with the previous output.
      if (stat.isSymbolicLink()) {
        warnings.push(`${path.relative(".", from)} is a symbolic link: not followed; it is dropped with the previous output, its target left as it is`);
        continue;
      }
      if (!stat.isDirectory()) continue;
      const kept = fs.readdirSync(from).filter((e) => !GENERATED_IN_STACK.has(e));
      if (kept.length === 0) continue;
      let to = path.join(staging, kind, stack);
      if (!fs.existsSync(to)) {
        to = path.join(staging, ORPHANED_DIR, kind, stack);
        warnings.push(`${stack} is no longer synthesized; its working files (${kept.join(", ")}) were kept in ${path.relative(".", path.join(outdir, ORPHANED_DIR, kind, stack))}`);
      }
      fs.mkdirSync(to, { recursive: true });
      for (const entry of kept) {
        const target = path.join(to, entry);
        // An orphan of the same name from an earlier synth: the newer files win, the older ones are kept aside.
        if (fs.existsSync(target)) move(target, `${target}.${Date.now()}`);
        move(path.join(from, entry), target);
      }
    }
  }
  return warnings;
}

/**
 * Staging and previous directories of synths that were killed (`<outdir>.staging-<pid>`, `.previous-<pid>`
 * whose process is gone): removed, so they do not pile up beside the output.
 */
function removeAbandoned(outdir: string): void {
  const parent = path.dirname(outdir);
  const base = path.basename(outdir);
  let entries: string[];
  try {
    entries = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:staging|previous)-(\\d+)$`).exec(entry);
    if (!match || Number(match[1]) === process.pid || processAlive(Number(match[1]))) continue;
    fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * The project's lock file, when it can be given to the stacks: a regular file, or a symbolic link to one inside
 * the topology's directory (a link out of it is refused: its target would be copied into every stack). None
 * (undefined) when it does not exist yet (a dangling link included: `privatelink lock` replaces it).
 */
function usableLockFile(lockFile: string): string | undefined {
  const link = fs.lstatSync(lockFile, { throwIfNoEntry: false });
  if (!link) return undefined;
  if (link.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.realpathSync(lockFile);
    } catch {
      return undefined; // dangling: there is no lock yet
    }
    const home = fs.realpathSync(path.dirname(path.resolve(lockFile)));
    if (target !== home && !target.startsWith(home + path.sep)) {
      throw new SynthError(`is a symbolic link to ${target}, outside ${home}: refused (its target would be copied into every stack); make it a file`, lockFile);
    }
  }
  const stat = fs.statSync(lockFile);
  if (!stat.isFile()) throw new SynthError("is not a file (a directory?): the project's lock file must be a file; remove it and run privatelink lock", lockFile);
  return lockFile;
}

/** Copies the project's lock file into every stack directory that has none. */
function seedLockFiles(staging: string, lockFile: string): void {
  for (const kind of ["stacks", "hcl"]) {
    const dir = path.join(staging, kind);
    if (!fs.existsSync(dir)) continue;
    for (const stack of fs.readdirSync(dir)) {
      const target = path.join(dir, stack, ".terraform.lock.hcl");
      if (!fs.existsSync(target)) fs.copyFileSync(lockFile, target);
    }
  }
}

function swapInto(staging: string, outdir: string): void {
  const previous = `${outdir}.previous-${process.pid}`;
  const hadPrevious = fs.existsSync(outdir);
  if (hadPrevious) fs.renameSync(outdir, previous);
  try {
    fs.renameSync(staging, outdir);
  } catch (error) {
    if (hadPrevious) fs.renameSync(previous, outdir);
    throw error;
  }
  // Only generated files are left in the previous output: its working files moved into the new one.
  fs.rmSync(previous, { recursive: true, force: true });
}

/** Features proven on the emulator only, never on AWS; and settings that work but weaken a promise. */
function previewWarnings(model: TopologyModel): string[] {
  const unlocked =
    model.backend.kind === "s3" && model.backend.useLockfile === false
      ? [`backend.useLockfile: false: the S3 state has no lock, so two applies at once (a retried CI job, a colleague) can corrupt a stack's state; keep it on (Terraform >= 1.10 locks with an object beside the state)`]
      : [];
  const open = model.hubs
    .filter((h) => h.services.some((s) => !h.endpointPolicies.has(s.short)))
    .map((h) => {
      const without = h.services.filter((s) => !h.endpointPolicies.has(s.short)).map((s) => s.short);
      return `hub ${h.name}: ${without.join(", ")} keep${without.length === 1 ? "s" : ""} AWS's default endpoint policy (full access for any principal that reaches the endpoint); set hubs.${h.name}.endpointPolicy.organizationId, or a policyFile per service (docs/hub.md)`;
    });
  return [...unlocked, ...open, ...model.hubs
    .filter((h) => h.sharing === "profile")
    .map(
      (h) =>
        `hub ${h.name}: sharing: profile is a preview: applied only on this project's emulator (moto, with Route 53 Profiles and RAM emulated from the API references), never on AWS; see docs/profiles.md before using it`,
    )];
}
