/**
 * `privatelink pipeline`: the files for Atlantis, Terramate and GitHub Actions keep the order of `privatelink
 * deploy` (its phases: retired pairs first, then spokes leaving a Profile, then every stack by dependency).
 * Each file is read back with a real parser (YAML: the `yaml` package; HCL: @cdktf/hcl2json, HashiCorp's HCL
 * parser compiled to WebAssembly), and the wave of every step in it is compared with deploy's.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { parse as parseYaml } from "yaml";
import { main } from "../../cli/privatelink";
import { phasesOfSynth, stepsOf, waves } from "../../cli/phases";
import { stepName } from "../../cli/pipeline";
import { dependenciesOf } from "../../cli/schedule";
import { loadTopologyFile } from "../../topology/load";
import { readEstate } from "../../synth/estate";
import { synthesize } from "../../synth/synthesize";
import { benchTopology } from "../../tools/bench";
import { EXAMPLE, tempDir } from "../helpers";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

/** Deploy's waves for the topology in `work` (the same synth the pipeline command made). */
function deployWaves(work: string, topology: string, before: ReturnType<typeof readEstate>): Map<string, number> {
  const cwd = process.cwd();
  process.chdir(work);
  try {
    const model = loadTopologyFile(topology).model;
    // The record as the pipeline command found it (the same retirements).
    const copy = path.join(work, "compare.estate.json");
    if (before) fs.writeFileSync(copy, JSON.stringify(before));
    const synth = synthesize(model, { outdir: path.join(work, "compare.out"), hcl: false, assets: false, estate: { file: before ? copy : path.join(work, "none.estate.json") } });
    const deps = dependenciesOf(JSON.parse(fs.readFileSync(path.join(work, "compare.out", "manifest.json"), "utf8")));
    const steps = stepsOf(phasesOfSynth({ model, deps, before, retired: synth.retired })).filter((s) => s.phase !== "old-pairs");
    const wave = waves(steps);
    return new Map(steps.map((s) => [stepName(s), wave.get(s.id)!]));
  } finally {
    process.chdir(cwd);
  }
}

/** Waves from `after` edges (Terramate, and a check of Atlantis' depends_on). */
function wavesOf(after: Map<string, string[]>): Map<string, number> {
  const wave = new Map<string, number>();
  const of = (name: string): number => wave.get(name) ?? (wave.set(name, 1 + Math.max(0, ...after.get(name)!.map(of))), wave.get(name)!);
  for (const name of after.keys()) of(name);
  return wave;
}

async function generated(work: string, topology: string): Promise<{ atlantis: Map<string, number>; atlantisDepends: Map<string, number>; terramate: Map<string, number>; github: Map<string, number> }> {
  const env = { ...process.env, TOPOLOGY: topology, CDKTF_OUTDIR: path.join(work, "cdktf.out") };
  const cwd = process.cwd();
  process.chdir(work);
  try {
    // github without --out: its default directory (.github/workflows) is created; a directory named by --out must exist.
    for (const [format, out] of [["atlantis", "atlantis.yaml"], ["terramate", "terramate"], ["github", undefined]]) {
      const c = capture();
      const code = await main(["pipeline", "--format", format!, ...(out ? ["--out", out] : [])], env, c.io);
      expect({ code, err: c.err.join("") }).toEqual({ code: 0, err: expect.any(String) });
    }
  } finally {
    process.chdir(cwd);
  }
  const atlantisDoc = parseYaml(fs.readFileSync(path.join(work, "atlantis.yaml"), "utf8"));
  expect(atlantisDoc.version).toBe(3);
  const atlantis = new Map<string, number>(atlantisDoc.projects.map((p: any) => [p.name, p.execution_order_group]));
  const atlantisDepends = wavesOf(new Map(atlantisDoc.projects.map((p: any) => [p.name, p.depends_on ?? []])));
  // Every project's directory is a synthesized stack.
  for (const p of atlantisDoc.projects) expect(fs.existsSync(path.join(work, p.dir, "cdk.tf.json"))).toBe(true);

  const terramateAfter = new Map<string, string[]>();
  const byDir = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.name === "stack.tm.hcl") {
        const parsed = await parseHcl(p, fs.readFileSync(p, "utf8"));
        const stack = parsed.stack[0];
        terramateAfter.set(stack.id, stack.after);
        byDir.set(`/${path.relative(work, dir).split(path.sep).join("/")}`, stack.id);
        // The deploy script applies the synthesized stack's directory.
        const chdir = parsed.script.deploy[0].job[0].commands[0][1].replace("-chdir=", "");
        expect(fs.existsSync(path.join(dir, chdir, "cdk.tf.json"))).toBe(true);
      }
    }
  };
  await walk(path.join(work, "terramate"));
  const terramate = wavesOf(new Map([...terramateAfter].map(([id, after]) => [id, after.map((dir) => byDir.get(dir)!)])));

  const workflow = parseYaml(fs.readFileSync(path.join(work, ".github", "workflows", "privatelink.yml"), "utf8"));
  const github = new Map<string, number>();
  for (const [name, job] of Object.entries<any>(workflow.jobs)) {
    const m = /^apply-wave-(\d+)$/.exec(name);
    if (!m) continue;
    expect(job.needs).toEqual([Number(m[1]) === 1 ? "plan" : `apply-wave-${Number(m[1]) - 1}`]);
    for (const entry of job.strategy.matrix.include) github.set(entry.step.replace(":", "--"), Number(m[1]));
  }
  expect(workflow.jobs.plan.strategy.matrix.stack.length).toBeGreaterThan(0);
  return { atlantis, atlantisDepends, terramate, github };
}

describe("privatelink pipeline", () => {
  it("the example: every engine's file holds deploy's steps in deploy's waves", async () => {
    const work = tempDir("pipeline");
    const topology = path.join(work, "topology.yaml");
    fs.copyFileSync(EXAMPLE, topology);
    const files = await generated(work, topology);
    const deploy = deployWaves(work, topology, readEstate(path.join(work, "topology.estate.json")));
    expect(deploy.get("hub-tokyo")).toBe(1);
    expect(deploy.get("spoke-app-tokyo")).toBe(2);
    for (const [engine, found] of Object.entries(files)) expect({ engine, waves: Object.fromEntries([...found].sort()) }).toEqual({ engine, waves: Object.fromEntries([...deploy].sort()) });
  }, 120_000);

  it("300 spokes with retirements (spokes and a consumer removed, a service removed from a hub): the targeted steps come first in every engine", async () => {
    const work = tempDir("pipeline-300");
    const topology = path.join(work, "topology.json");
    const doc = benchTopology(300) as any;
    fs.writeFileSync(topology, JSON.stringify(doc));
    // Day one: synthesized, and every spoke's pairs and every stack "in its state" (local state files).
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const model = loadTopologyFile(topology).model;
      const out = synthesize(model, { outdir: path.join(work, "day-one.out"), hcl: false, assets: false, estate: { file: path.join(work, "topology.estate.json") } });
      for (const stack of out.stacks) {
        const config = JSON.parse(fs.readFileSync(path.join(work, "day-one.out", "stacks", stack.name, "cdk.tf.json"), "utf8"));
        const resources = Object.entries<Record<string, unknown>>(config.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => ({ mode: "managed", type, name, instances: [{}] })));
        fs.writeFileSync(path.join(work, `terraform.${model.name}.${stack.name}.tfstate`), JSON.stringify({ version: 4, resources }));
      }
    } finally {
      process.chdir(cwd);
    }
    // Day two: two spokes and a consumer leave, kms leaves the hubs (every spoke retires that pair).
    delete doc.spokes["spoke-5"];
    delete doc.spokes["spoke-250"];
    delete doc.privateLink.api.consumers.c20;
    for (const hub of Object.values<any>(doc.hubs)) hub.services = hub.services.filter((s: string) => s !== "kms");
    fs.writeFileSync(topology, JSON.stringify(doc));
    const before = readEstate(path.join(work, "topology.estate.json"));
    const files = await generated(work, topology);
    const deploy = deployWaves(work, topology, before);
    const names = [...deploy.keys()];
    expect(names.filter((n) => n.endsWith("--retired-pairs"))).toHaveLength(298);
    expect(names).toEqual(expect.arrayContaining(["spoke-spoke-5", "spoke-spoke-250", "consumer-api-c20"]));
    // Retired pairs before anything else; the retired spokes before their hub.
    expect(deploy.get("spoke-spoke-7--retired-pairs")).toBe(1);
    expect(deploy.get("spoke-spoke-5")!).toBeLessThan(deploy.get("hub-main")!);
    for (const [engine, found] of Object.entries(files)) expect({ engine, waves: Object.fromEntries([...found].sort()) }).toEqual({ engine, waves: Object.fromEntries([...deploy].sort()) });
  }, 300_000);
});
