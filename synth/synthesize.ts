import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { TopologyModel } from "../topology/model";
import { buildStacks } from "../stacks";
import { localStateFile } from "../stacks/base-stack";

import { collectBlockPaths, renderHcl } from "./hcl";

export interface SynthOptions {
  /** Output directory (default: `$CDKTF_OUTDIR`, else `cdktf.out`). */
  readonly outdir?: string;
  /** Also write the HCL export under `<outdir>/hcl/<stack>/main.tf` (default true). */
  readonly hcl?: boolean;
}

export interface SynthResult {
  readonly outdir: string;
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly resources: number }>;
  /** Things the user should know (e.g. state files of an older layout to move); never fatal. */
  readonly warnings: readonly string[];
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
  const staging = `${outdir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging });
    buildStacks(app, model);
    app.synth();
    const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    const summary = stacks.map((stack) => {
      const stackDir = path.join(staging, "stacks", stack.node.id);
      const config = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
      if (options.hcl ?? true) writeHcl(stack, config, stackDir, path.join(staging, "hcl", stack.node.id));
      const resources = Object.values((config.resource ?? {}) as Record<string, object>).reduce((n, byType) => n + Object.keys(byType).length, 0);
      return { name: stack.node.id, resources };
    });
    swapInto(staging, outdir);
    return { outdir, stacks: summary, warnings: olderStateFiles(model, summary.map((s) => s.name)) };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
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

function swapInto(staging: string, outdir: string): void {
  const previous = `${outdir}.previous-${process.pid}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, previous);
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
}
