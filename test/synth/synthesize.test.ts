import * as fs from "fs";
import * as path from "path";
import { loadTopologyFile } from "../../topology/load";
import { synthesize } from "../../synth/synthesize";
import { EXAMPLE, tempDir } from "../helpers";

describe("synthesize", () => {
  const { model } = loadTopologyFile(EXAMPLE);

  it("refuses to replace a directory that is not a previous synth output", () => {
    const dir = tempDir("precious");
    fs.writeFileSync(path.join(dir, "notes.txt"), "keep me");
    expect(() => synthesize(model, { outdir: dir })).toThrow(/refusing to replace .*: it is not empty and holds no previous synth output/);
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("refuses an output directory that contains the working directory", () => {
    const dir = tempDir("cwd");
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(() => synthesize(model, { outdir: "." })).toThrow(/contains the working directory/);
    } finally {
      process.chdir(cwd);
    }
  });

  it("replaces a previous output, leaving no staging directories behind", () => {
    const parent = tempDir("replace");
    const outdir = path.join(parent, "cdktf.out");
    synthesize(model, { outdir });
    const config = path.join(outdir, "stacks", "hub-tokyo", "cdk.tf.json");
    fs.writeFileSync(config, "{}");
    synthesize(model, { outdir });
    expect(JSON.parse(fs.readFileSync(config, "utf8")).resource).toBeDefined();
    expect(fs.readdirSync(parent)).toEqual(["cdktf.out"]);
  });

  it("keeps Terraform's working files across re-synths: .terraform/, lock files, saved plans, logs", () => {
    const outdir = path.join(tempDir("keep"), "cdktf.out");
    synthesize(model, { outdir });
    const stack = path.join(outdir, "stacks", "spoke-app-tokyo");
    const hcl = path.join(outdir, "hcl", "spoke-app-tokyo");
    fs.mkdirSync(path.join(stack, ".terraform", "providers"), { recursive: true });
    fs.writeFileSync(path.join(stack, ".terraform", "terraform.tfstate"), '{"backend":{"type":"local"}}');
    fs.writeFileSync(path.join(stack, ".terraform.lock.hcl"), "# lock of spoke-app-tokyo\n");
    fs.writeFileSync(path.join(stack, "pr.tfplan"), "plan");
    fs.writeFileSync(path.join(hcl, ".terraform.lock.hcl"), "# lock of the HCL export\n");
    fs.mkdirSync(path.join(outdir, "logs"));
    fs.writeFileSync(path.join(outdir, "logs", "deploy-hub-tokyo.log"), "log");
    const before = fs.statSync(path.join(stack, ".terraform", "terraform.tfstate")).ino;

    synthesize(model, { outdir });
    expect(fs.readFileSync(path.join(stack, ".terraform", "terraform.tfstate"), "utf8")).toBe('{"backend":{"type":"local"}}');
    expect(fs.statSync(path.join(stack, ".terraform", "terraform.tfstate")).ino).toBe(before); // moved, not copied
    expect(fs.existsSync(path.join(stack, ".terraform", "providers"))).toBe(true);
    expect(fs.readFileSync(path.join(stack, ".terraform.lock.hcl"), "utf8")).toBe("# lock of spoke-app-tokyo\n");
    expect(fs.readFileSync(path.join(stack, "pr.tfplan"), "utf8")).toBe("plan");
    expect(fs.readFileSync(path.join(hcl, ".terraform.lock.hcl"), "utf8")).toBe("# lock of the HCL export\n");
    expect(fs.readFileSync(path.join(outdir, "logs", "deploy-hub-tokyo.log"), "utf8")).toBe("log");
    expect(fs.existsSync(path.join(stack, "cdk.tf.json"))).toBe(true);
  });

  it("keeps the working files of a stack that is no longer synthesized aside, and says so", () => {
    const outdir = path.join(tempDir("orphan"), "cdktf.out");
    synthesize(model, { outdir });
    const gone = path.join(outdir, "stacks", "spoke-from-another-topology");
    fs.mkdirSync(path.join(gone, ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(gone, "cdk.tf.json"), "{}");
    fs.writeFileSync(path.join(gone, ".terraform.lock.hcl"), "# lock\n");
    const generatedOnly = path.join(outdir, "stacks", "generated-only");
    fs.mkdirSync(generatedOnly);
    fs.writeFileSync(path.join(generatedOnly, "cdk.tf.json"), "{}");

    const result = synthesize(model, { outdir });
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(generatedOnly)).toBe(false);
    const kept = path.join(outdir, "orphaned", "stacks", "spoke-from-another-topology");
    expect(fs.readdirSync(kept).sort()).toEqual([".terraform", ".terraform.lock.hcl"]);
    expect(result.warnings).toEqual([expect.stringMatching(/^spoke-from-another-topology is no longer synthesized; its working files \(\.terraform, \.terraform\.lock\.hcl\) were kept in .*orphaned\/stacks\/spoke-from-another-topology$/)]);
    // And the next synth keeps them too.
    synthesize(model, { outdir });
    expect(fs.readdirSync(kept).sort()).toEqual([".terraform", ".terraform.lock.hcl"]);
  });

  it("seeds every stack directory without a lock file from the project's lock file", () => {
    const dir = tempDir("seed");
    const lockFile = path.join(dir, ".terraform.lock.hcl");
    fs.writeFileSync(lockFile, "# project lock\n");
    const outdir = path.join(dir, "cdktf.out");
    synthesize(model, { outdir });
    const own = path.join(outdir, "stacks", "hub-tokyo", ".terraform.lock.hcl");
    fs.writeFileSync(own, "# hub-tokyo's own\n");
    synthesize(model, { outdir, lockFile });
    expect(fs.readFileSync(own, "utf8")).toBe("# hub-tokyo's own\n");
    const seeded = ["stacks", "hcl"].flatMap((kind) => fs.readdirSync(path.join(outdir, kind)).map((s) => fs.readFileSync(path.join(outdir, kind, s, ".terraform.lock.hcl"), "utf8")));
    expect(seeded.filter((t) => t === "# project lock\n")).toHaveLength(seeded.length - 1);
  });

  it("puts the working files back when the new output cannot be completed", () => {
    const dir = tempDir("rollback");
    const outdir = path.join(dir, "cdktf.out");
    synthesize(model, { outdir });
    const dotTerraform = path.join(outdir, "stacks", "hub-tokyo", ".terraform");
    fs.mkdirSync(dotTerraform);
    fs.writeFileSync(path.join(dotTerraform, "terraform.tfstate"), "{}");
    fs.mkdirSync(path.join(outdir, "logs"));
    // An estate record that cannot be written (its directory is missing): the failure comes after the working files moved.
    expect(() => synthesize(model, { outdir, estate: { file: path.join(dir, "missing", "estate.json") } })).toThrow(/the estate record cannot be written \(ENOENT\)/);
    expect(fs.readFileSync(path.join(dotTerraform, "terraform.tfstate"), "utf8")).toBe("{}");
    expect(fs.existsSync(path.join(outdir, "logs"))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out"]);
  });
});
