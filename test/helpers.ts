import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { loadTopologyText, validateDocument } from "../topology/load";
import { formatPath } from "../topology/problems";
import { synthesize, SynthResult } from "../synth/synthesize";

export const ROOT = path.resolve(__dirname, "..");
export const EXAMPLE = path.join(ROOT, "examples", "topology.yaml");
/** The build the tests run: dist/ (cdktf), or dist-cdktn/ when jest runs the CDK Terrain flavour (jest.cdktn.config.js). */
export const DIST = path.join(ROOT, process.env.PRIVATELINK_FLAVOUR === "cdktn" ? "dist-cdktn" : "dist");

/** The bundled example as a plain object, to mutate in tests. */
export function exampleDoc(): Record<string, any> {
  return parse(fs.readFileSync(EXAMPLE, "utf8"));
}

const created: string[] = [];

/** A fresh temporary directory, removed after the test file (see test/setup.ts). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plk-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface Synthesized extends SynthResult {
  /** Parsed cdk.tf.json per stack name. */
  readonly json: Record<string, any>;
}

/** Validates and synthesizes a topology document into a fresh directory (state files stay inside it). */
export function synth(doc: Record<string, any> = exampleDoc(), options: { hcl?: boolean; outdir?: string } = {}): Synthesized {
  const outdir = options.outdir ?? path.join(tempDir("synth"), "cdktf.out");
  const { model } = loadTopologyText(JSON.stringify(doc), "test topology");
  const cwd = process.cwd();
  process.chdir(path.dirname(outdir));
  try {
    const result = synthesize(model, { outdir, hcl: options.hcl ?? true });
    const json: Record<string, any> = {};
    for (const stack of result.stacks) {
      json[stack.name] = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack.name, "cdk.tf.json"), "utf8"));
    }
    return { ...result, json };
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Synthesizes a topology document in `work` with its estate record (`work/topology.estate.json`): what a
 * re-synth of a changed topology does. `state` says what each stack's state holds (undefined: unknown).
 */
export function synthIn(work: string, doc: Record<string, any>, state?: (stack: string) => readonly string[] | undefined) {
  const { model } = loadTopologyText(JSON.stringify(doc), "test topology");
  const cwd = process.cwd();
  process.chdir(work);
  try {
    const result = synthesize(model, { outdir: path.join(work, "cdktf.out"), hcl: false, estate: { file: path.join(work, "topology.estate.json"), state } });
    const json = (stack: string) => JSON.parse(fs.readFileSync(path.join(work, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"));
    const manifest = JSON.parse(fs.readFileSync(path.join(work, "cdktf.out", "manifest.json"), "utf8"));
    return { result, json, manifest };
  } finally {
    process.chdir(cwd);
  }
}

/** Resources of one type in a synthesized stack, keyed by logical name. */
export function resources(stack: any, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

/** Problems of the example after `mutate`, as "path: message [fix]" lines. */
export function problemsOf(mutate: (doc: Record<string, any>) => void): string[] {
  const doc = exampleDoc();
  mutate(doc);
  return validateDocument(doc).map((p) => `${formatPath(p.path)}: ${p.message}${p.fix ? ` [${p.fix}]` : ""}`);
}
