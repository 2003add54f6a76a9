/**
 * Property-based: random topologies (plausible estates, and mutations of them) through the loader and
 * synth. Every one either synthesizes and passes the invariants, or is refused with located problems
 * (what `npm run synth` prints before exiting 2). Zero crashes: any other exception fails the test with
 * the failing topology, shrunk by fast-check.
 *
 * PROPERTY_RUNS (default 1000) and PROPERTY_SEED (default fixed, so CI is reproducible) tune a run.
 */
import * as fs from "fs";
import * as path from "path";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { elbNameProblems } from "../../aws/names";
import { loadTopologyText } from "../../topology/load";
import { TopologyError } from "../../topology/problems";
import { synthesize } from "../../synth/synthesize";
import { tempDir } from "../helpers";
import { topologies } from "./generators";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261123);
/** Strings of the injected payloads: none may reach an output that synthesized. */
const PAYLOAD_MARKERS = ["/etc/hostname", "${USER}", "%{ if true }"];

const stats = { synthesized: 0, refused: 0, mutated: 0, problems: 0, hclChecked: 0, seconds: 0 };

async function check(doc: Record<string, unknown>, work: string): Promise<void> {
  const text = stringify(doc);
  let model;
  try {
    model = loadTopologyText(text, "prop.yaml").model;
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    if (error.problems.length === 0) throw new Error("a TopologyError without problems");
    for (const p of error.problems) {
      if (p.line === undefined || p.line < 1) throw new Error(`problem without a line: ${JSON.stringify(p)}`);
      if (!p.message) throw new Error(`problem without a message: ${JSON.stringify(p)}`);
    }
    stats.refused++;
    stats.problems += error.problems.length;
    return;
  }
  const outdir = path.join(work, `out-${stats.synthesized}`);
  const result = synthesize(model, { outdir });
  try {
    const expected = model.hubs.length + model.spokes.length + model.services.filter((s) => s.provider).length + model.consumers.length;
    if (result.stacks.length !== expected) throw new Error(`${result.stacks.length} stacks, expected ${expected}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    if (Object.keys(manifest.stacks).sort().join() !== result.stacks.map((s) => s.name).sort().join()) throw new Error("manifest and stacks differ");
    const zones = new Map(model.hubs.map((h) => [h.stackName, h.services.reduce((n, s) => n + s.zones.length, 0)]));
    for (const stack of result.stacks) {
      const jsonText = fs.readFileSync(path.join(outdir, "stacks", stack.name, "cdk.tf.json"), "utf8");
      const hclText = fs.readFileSync(path.join(outdir, "hcl", stack.name, "main.tf"), "utf8");
      for (const marker of PAYLOAD_MARKERS) if (jsonText.includes(marker) || hclText.includes(marker)) throw new Error(`${stack.name}: a payload reached the output`);
      const config = JSON.parse(jsonText);
      if (zones.has(stack.name) && Object.keys(config.resource?.aws_route53_zone ?? {}).length !== zones.get(stack.name)) throw new Error(`${stack.name}: zone count`);
      const spoke = model.spokes.find((s) => s.stackName === stack.name);
      if (spoke && spoke.association === "script" && Object.keys(config.resource?.terraform_data ?? {}).length !== zones.get(spoke.hub.stackName)) {
        throw new Error(`${stack.name}: one pair per hub zone expected`);
      }
      for (const lb of Object.values<any>(config.resource?.aws_lb ?? {})) if (elbNameProblems(lb.name, "load balancer").length > 0) throw new Error(`bad LB name ${lb.name}`);
      if (config.terraform?.required_version === undefined) throw new Error(`${stack.name}: no required_version`);
    }
    // The HCL export parses back, for one synthesized estate in four (hcl2json is the slow part).
    if (stats.synthesized % 4 === 0) {
      for (const stack of result.stacks) await parseHcl("main.tf", fs.readFileSync(path.join(outdir, "hcl", stack.name, "main.tf"), "utf8"));
      stats.hclChecked++;
    }
    stats.synthesized++;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("property: random topologies never crash the loader or synth", () => {
  afterAll(() => {
    process.stdout.write(
      `property: ${RUNS} topologies (seed ${SEED}) in ${stats.seconds.toFixed(1)} s: ${stats.synthesized} synthesized (${stats.hclChecked} HCL exports parsed back), ${stats.refused} refused with ${stats.problems} located problems; ${stats.mutated} were mutated\n`,
    );
  });

  it(`${RUNS} topologies: synthesized with the invariants, or refused with located problems; zero crashes`, async () => {
    const work = tempDir("property");
    const started = Date.now();
    const cwd = process.cwd();
    process.chdir(work); // local state paths resolve here, away from the checkout
    try {
      await fc.assert(
        fc.asyncProperty(topologies, async ({ doc, mutated }) => {
          if (mutated) stats.mutated++;
          await check(doc, work);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false, verbose: 1 },
      );
    } finally {
      process.chdir(cwd);
      stats.seconds = (Date.now() - started) / 1000;
    }
    expect(stats.synthesized + stats.refused).toBeGreaterThanOrEqual(RUNS);
    expect(stats.synthesized).toBeGreaterThan(RUNS / 5);
    expect(stats.refused).toBeGreaterThan(RUNS / 5);
  }, 30 * 60_000);
});
