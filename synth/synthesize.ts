import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { TopologyModel } from "../topology/model";
import { buildStacks } from "../stacks";

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
  const outdir = path.resolve(options.outdir || process.env.CDKTF_OUTDIR || "cdktf.out");
  assertReplaceable(outdir);
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
    return { outdir, stacks: summary };
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
function assertReplaceable(outdir: string): void {
  const cwd = path.resolve(".");
  if (cwd === outdir || cwd.startsWith(outdir + path.sep)) {
    throw new Error(`refusing to synthesize into ${outdir}: it contains the working directory`);
  }
  if (fs.existsSync(outdir) && fs.readdirSync(outdir).length > 0 && !fs.existsSync(path.join(outdir, "manifest.json"))) {
    throw new Error(`refusing to replace ${outdir}: it is not empty and holds no previous synth output (manifest.json)`);
  }
}

function swapInto(staging: string, outdir: string): void {
  const previous = `${outdir}.previous-${process.pid}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, previous);
  fs.renameSync(staging, outdir);
  fs.rmSync(previous, { recursive: true, force: true });
}
