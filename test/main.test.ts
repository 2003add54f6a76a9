import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { DIST, EXAMPLE, exampleDoc, ROOT, tempDir } from "./helpers";

const MAIN = path.join(DIST, "main.js");

function runMain(cwd: string, topology: string) {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it first)`);
  return spawnSync(process.execPath, [MAIN], { cwd, encoding: "utf8", env: { ...process.env, TOPOLOGY: topology, CDKTF_OUTDIR: "" } });
}

/** Every file under a directory with its content, to compare before/after. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return files;
}

describe("main (npm run synth)", () => {
  it("reports the eight mistakes of examples/invalid-topology.yaml (docs/topology.md shows this output)", () => {
    const cwd = tempDir("invalid");
    const run = runMain(cwd, path.join(ROOT, "examples", "invalid-topology.yaml"));
    expect(run.status).toBe(2);
    expect(run.stderr.split("\n").filter((l) => l.startsWith("  - ")).map((l) => l.replace(/^(  - line \d+: [^:]+):.*$/, "$1"))).toEqual([
      "  - line 6: accounts.network-hub.id",
      "  - line 21: vpcs.app.region",
      "  - line 27: hubs.tokyo.subnets",
      "  - line 29: hubs.tokyo.services[1].type",
      "  - line 29: hubs.tokyo.services[2]",
      "  - line 30: hubs.tokyo.allowedCidrs[0]",
      "  - line 33: spokes.app.vpc",
      "  - line 34: spokes.app.asociation",
    ]);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it("synthesizes the example into cdktf.out: cdk.tf.json and the HCL export per stack", () => {
    const cwd = tempDir("main");
    const run = runMain(cwd, EXAMPLE);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Synthesized \d+ stacks \(\d+ resources\) from .*topology\.yaml into .*cdktf\.out in \d+\.\d+ s/);
    expect(fs.existsSync(path.join(cwd, "cdktf.out", "stacks", "hub-tokyo", "cdk.tf.json"))).toBe(true);
    expect(fs.existsSync(path.join(cwd, "cdktf.out", "hcl", "hub-tokyo", "main.tf"))).toBe(true);
    expect(fs.readdirSync(cwd)).toEqual(["cdktf.out"]);
  });

  it("on invalid input lists every problem, exits 2 and leaves the previous output exactly as it was", () => {
    const cwd = tempDir("main-bad");
    expect(runMain(cwd, EXAMPLE).status).toBe(0);
    const before = snapshot(path.join(cwd, "cdktf.out"));

    const doc = exampleDoc();
    doc.vpcs["app-tokyo"].cidr = "10.0.0.0/16";
    doc.hubs.tokyo.services.push({ name: "s3", type: "gateway" });
    doc.spokes["app-osaka"].vpc = "nowhere";
    const bad = path.join(cwd, "bad.yaml");
    fs.writeFileSync(bad, stringify(doc));

    const run = runMain(cwd, bad);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/bad\.yaml: \d+ problems found; nothing was synthesized\./);
    expect(run.stderr).toContain("overlaps hub \"tokyo\"");
    expect(run.stderr).toContain("gateway endpoints (here s3) cannot be centralized");
    expect(run.stderr).toContain('refers to VPC "nowhere"');
    expect(snapshot(path.join(cwd, "cdktf.out"))).toEqual(before);
    expect(fs.readdirSync(cwd).sort()).toEqual(["bad.yaml", "cdktf.out"]);
  });
});
