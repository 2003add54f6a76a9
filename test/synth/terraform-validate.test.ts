/**
 * `terraform init` + `terraform validate` of every synthesized stack, JSON and HCL, with the real
 * terraform binary and the offline provider mirror. Missing terraform or mirror fails these tests
 * with the reason; they are never skipped.
 *
 * Each `terraform validate` loads the AWS provider's schema (5 to 6 s of one core). So that CI stays short,
 * the stacks of an estate are validated together, as the modules of one root (their backends left out: a
 * child module may not have one; `validate` does not read backends anyway), one terraform run for the JSON
 * and one for the HCL; the example's JSON stacks are also validated as the root modules they are. A test
 * holds that an error in one stack is reported against that stack.
 */
import * as fs from "fs";
import * as path from "path";
import { renderHcl } from "../../synth/hcl";
import { hclShapes, SHAPES_EXPRESSION } from "./hcl-shapes";
import { runTerraform, terraformEnv, TerraformEnv, validateDirs } from "../../tools/terraform-env";
import { stackDirs } from "../../tools/validate";
import { exampleDoc, synth, tempDir } from "../helpers";

/** The example with every option the example itself does not use. */
function variants(): Record<string, any> {
  const doc = exampleDoc();
  doc.spokes["app-tokyo"].association = "native";
  const orders = doc.privateLink["orders-api"];
  orders.provider.privateDnsName = "orders.example.com";
  orders.provider.targets = { type: "ip", ids: ["10.50.1.10", "10.50.2.10"] };
  orders.provider.listeners = [{ port: 443, targetPort: 8443 }, { port: 80 }];
  orders.consumers.tokyo.privateDns = true;
  orders.consumers.virginia.acceptance = "manual";
  doc.privateLink.storage = { awsService: { name: "s3", region: "us-east-1" }, consumers: { tokyo: { vpc: "orders-client-tokyo" } } };
  doc.backend = { kind: "s3", bucket: "acme-tf-state", region: "ap-northeast-1", roleArn: "arn:aws:iam::111122223333:role/state" };
  return doc;
}

/** The example's hub shared through a Route 53 Profile: Tokyo's spoke accepts the RAM share and associates it; Osaka's keeps the handshake. */
function profileSharing(): Record<string, any> {
  const doc = exampleDoc();
  doc.hubs.tokyo.sharing = "profile";
  return doc;
}

/** A stack directory as a child module: its files without the backend (a module may not have one). */
function asModule(dir: string, target: string): void {
  fs.cpSync(dir, target, { recursive: true, filter: (src) => !src.includes(`${path.sep}.terraform`) });
  const json = path.join(target, "cdk.tf.json");
  if (fs.existsSync(json)) {
    const config = JSON.parse(fs.readFileSync(json, "utf8"));
    delete config.terraform.backend;
    fs.writeFileSync(json, JSON.stringify(config, null, 2));
  }
  const hcl = path.join(target, "main.tf");
  if (fs.existsSync(hcl)) {
    const text = fs.readFileSync(hcl, "utf8");
    const cut = text.replace(/^ {2}backend "[a-z0-9]+" \{\n[\s\S]*?^ {2}\}\n/m, "");
    expect(cut).not.toBe(text);
    fs.writeFileSync(hcl, cut);
  }
}

/**
 * Validates stack directories together, as the modules of one root configuration: diagnostics per stack
 * (read from each diagnostic's file name), one provider schema load for all of them.
 */
async function validateTogether(env: TerraformEnv, dirs: readonly string[], outdir: string, names = dirs.map((d) => path.relative(outdir, d).replace(/[^A-Za-z0-9_-]/g, "_"))): Promise<Map<string, string[]>> {
  const root = tempDir("validate-root");
  dirs.forEach((d, i) => asModule(d, path.join(root, names[i])));
  fs.writeFileSync(path.join(root, "main.tf.json"), JSON.stringify({ module: Object.fromEntries(names.map((n) => [n, { source: `./${n}` }])) }));
  const [result] = await validateDirs(env, [root]);
  const byStack = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const d of result.diagnostics as Array<{ severity: string; summary: string; range?: { filename?: string } }>) {
    const module = d.range?.filename?.split(/[\/]/)[0] ?? "(root)";
    if (!byStack.has(module)) byStack.set(module, []);
    byStack.get(module)!.push(`${d.severity}: ${d.summary}`);
  }
  return byStack;
}

describe("terraform validate", () => {
  it.each([
    ["the example", exampleDoc],
    ["the example with every other option", variants],
    ["the example with its hub shared through a Route 53 Profile", profileSharing],
  ])("accepts every stack of %s, JSON and HCL, with 0 errors and 0 warnings, and the HCL is fmt-clean", async (name, doc) => {
    const env = terraformEnv(tempDir("tf"));
    expect(env.providerVersions).toContain("5.100.0");
    const out = synth(doc());
    const dirs = stackDirs(out.outdir);
    expect(dirs.map((d) => path.relative(out.outdir, d))).toEqual(
      expect.arrayContaining(out.stacks.flatMap((s) => [`stacks/${s.name}`, `hcl/${s.name}`])),
    );
    const diagnostics = await validateTogether(env, dirs, out.outdir);
    expect(Object.fromEntries(diagnostics)).toEqual(Object.fromEntries([...diagnostics.keys()].map((k) => [k, []])));
    expect(diagnostics.size).toBe(dirs.length);
    if (name === "the example") {
      // As the root modules they are, backend included.
      const roots = await validateDirs(env, dirs.filter((d) => d.includes(`${path.sep}stacks${path.sep}`)));
      expect(roots.map((r) => [path.relative(out.outdir, r.dir), r.errors, r.warnings]).sort()).toEqual(out.stacks.map((s) => [`stacks/${s.name}`, 0, 0]).sort());
    }
    for (const dir of dirs.filter((d) => d.includes(`${path.sep}hcl${path.sep}`))) {
      const fmt = runTerraform(env, dir, ["fmt", "-check", "-diff", "-no-color"]);
      expect({ dir, status: fmt.status, diff: fmt.stdout }).toEqual({ dir, status: 0, diff: "" });
    }
  }, 300_000);

  it("validating stacks together still reports an error against the stack that has it", async () => {
    const env = terraformEnv(tempDir("tf"));
    const out = synth(exampleDoc());
    const broken = path.join(tempDir("broken"), "stacks", "spoke-app-osaka");
    fs.cpSync(path.join(out.outdir, "stacks", "spoke-app-osaka"), broken, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(broken, "cdk.tf.json"), "utf8"));
    config.data.aws_vpc.spoke.no_such_argument = "x";
    fs.writeFileSync(path.join(broken, "cdk.tf.json"), JSON.stringify(config));
    const diagnostics = await validateTogether(env, [path.join(out.outdir, "stacks", "hub-tokyo"), broken], out.outdir, ["hub", "spoke"]);
    expect(diagnostics.get("hub")).toEqual([]);
    expect(diagnostics.get("spoke")).toEqual(["error: Extraneous JSON object property"]);
  }, 300_000);

  it("accepts the shapes that once broke the HCL export (interpolated keys, multi-line interpolations, directives), JSON and HCL, fmt-clean", async () => {
    const env = terraformEnv(tempDir("tf"));
    const base = tempDir("shapes");
    const json = path.join(base, "json");
    const hcl = path.join(base, "hcl");
    fs.mkdirSync(json);
    fs.mkdirSync(hcl);
    fs.writeFileSync(path.join(json, "cdk.tf.json"), JSON.stringify(hclShapes(), null, 2));
    fs.writeFileSync(path.join(hcl, "main.tf"), renderHcl(hclShapes(), new Map()));
    const results = await validateDirs(env, [json, hcl]);
    expect(results.map((r) => [r.errors, r.warnings, r.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`)])).toEqual([
      [0, 0, []],
      [0, 0, []],
    ]);
    const fmt = runTerraform(env, hcl, ["fmt", "-check", "-diff", "-no-color"]);
    expect({ status: fmt.status, diff: fmt.stdout }).toEqual({ status: 0, diff: "" });
    // The values are what the JSON means: terraform console evaluates both forms (without the backend) alike.
    const evaluate = (form: "json" | "hcl") => {
      const dir = path.join(base, `console-${form}`);
      fs.mkdirSync(dir);
      const config = hclShapes({ backend: false });
      if (form === "json") fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config));
      else fs.writeFileSync(path.join(dir, "main.tf"), renderHcl(config, new Map()));
      const result = runTerraform(env, dir, ["console", "-no-color"], {}, SHAPES_EXPRESSION);
      expect(result.stderr).toBe("");
      return JSON.parse(JSON.parse(result.stdout.trim()));
    };
    const values = evaluate("json");
    expect(evaluate("hcl")).toEqual(values);
    expect(values).toEqual([{ Ab: 1, C: 2, "plain key": 3 }, { a: 1, b: 2 }, "x-B-y", "yes", "ab", "literal ${not_interpolated} and %{not_a_directive}"]);
  });
});
