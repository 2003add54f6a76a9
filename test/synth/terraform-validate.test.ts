/**
 * `terraform init` + `terraform validate` of every synthesized stack, JSON and HCL, with the real
 * terraform binary and the offline provider mirror. Missing terraform or mirror fails these tests
 * with the reason; they are never skipped.
 */
import * as fs from "fs";
import * as path from "path";
import { renderHcl } from "../../synth/hcl";
import { hclShapes, SHAPES_EXPRESSION } from "./hcl-shapes";
import { runTerraform, terraformEnv, validateDirs } from "../../tools/terraform-env";
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

describe("terraform validate", () => {
  it.each([
    ["the example", exampleDoc],
    ["the example with every other option", variants],
    ["the example with its hub shared through a Route 53 Profile", profileSharing],
  ])("accepts every stack of %s, JSON and HCL, with 0 errors and 0 warnings, and the HCL is fmt-clean", async (_name, doc) => {
    const env = terraformEnv(tempDir("tf"));
    expect(env.providerVersions).toContain("5.100.0");
    const out = synth(doc());
    const dirs = stackDirs(out.outdir);
    expect(dirs.map((d) => path.relative(out.outdir, d))).toEqual(
      expect.arrayContaining(out.stacks.flatMap((s) => [`stacks/${s.name}`, `hcl/${s.name}`])),
    );
    const results = (await validateDirs(env, dirs)).map((result) => ({
      dir: path.relative(out.outdir, result.dir),
      errors: result.errors,
      warnings: result.warnings,
      diagnostics: result.diagnostics.map((d) => `${d.severity}: ${d.summary}`),
    }));
    expect(results).toEqual(dirs.map((dir) => ({ dir: path.relative(out.outdir, dir), errors: 0, warnings: 0, diagnostics: [] })));
    for (const dir of dirs.filter((d) => d.includes(`${path.sep}hcl${path.sep}`))) {
      const fmt = runTerraform(env, dir, ["fmt", "-check", "-diff", "-no-color"]);
      expect({ dir, status: fmt.status, diff: fmt.stdout }).toEqual({ dir, status: 0, diff: "" });
    }
  }, 300_000); // validates 12 directories with terraform: minutes when the rest of the suite loads both cores

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
