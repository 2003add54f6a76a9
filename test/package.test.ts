/**
 * What a user of the library does: pack the package (`npm pack`), install the tarball into a new
 * project, compile examples/library/hub-and-spoke.ts against it with tsc and synthesize it; then
 * `terraform validate` what came out. Needs the dist/ of `npm test`'s build (type declarations
 * included); npm installs from its cache (the registry when the cache lacks a package).
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { terraformEnv, validateDirs } from "../tools/terraform-env";
import { ROOT, tempDir } from "./helpers";

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return String(result.stdout);
}

describe("the package, as users install it", () => {
  const work = tempDir("package");
  const project = path.join(work, "project");
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    for (const file of ["index.js", "index.d.ts", "modules/centralized-endpoint.d.ts", "assets/phz-handshake.cjs"]) {
      if (!fs.existsSync(path.join(ROOT, "dist", file))) throw new Error(`dist/${file} is missing: run npm run build (npm test does it first)`);
    }
    // --ignore-scripts: dist/ is already built (with declarations) by npm test; prepack would rebuild it under the other test files' feet.
    const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT }));
    tarball = path.join(work, packed[0].filename);
    files = packed[0].files.map((f: { path: string }) => f.path);
  }, 120_000);

  it("ships the compiled library with type declarations, the bundled commands, and nothing of the development tooling", () => {
    expect(files).toEqual(expect.arrayContaining(["package.json", "LICENSE", "README.md", "dist/index.js", "dist/index.d.ts", "dist/modules/zone-sharing.d.ts", "dist/assets/phz-handshake.cjs", "dist/assets/onprem-dns.cjs", "dist/assets/privatelink.cjs", "topology.schema.json", "examples/library/hub-and-spoke.ts"]));
    expect(files.filter((f) => f.startsWith("dist/tools/") || f.startsWith("test/") || f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("examples/"))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.bin).sort()).toEqual(["onprem-dns", "phz-handshake", "privatelink"]);
  });

  it("installs from the tarball, compiles the hand-composed example with tsc, and synthesizes a hub and a spoke that terraform validates", async () => {
    fs.mkdirSync(project);
    const example = path.join(ROOT, "examples", "library");
    const manifest = JSON.parse(fs.readFileSync(path.join(example, "package.json"), "utf8"));
    manifest.dependencies["privatelink-cdktf"] = `file:${tarball}`;
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
    for (const file of ["hub-and-spoke.ts", "tsconfig.json"]) fs.copyFileSync(path.join(example, file), path.join(project, file));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project });
    // What users import is the installed package, not this checkout.
    expect(fs.realpathSync(path.join(project, "node_modules", "privatelink-cdktf"))).toBe(path.join(project, "node_modules", "privatelink-cdktf"));

    // The operations command runs from the installation (its peer dependencies resolved there).
    const usage = run(path.join(project, "node_modules", ".bin", "privatelink"), ["--help"], { cwd: project });
    expect(usage).toContain("preflight");

    run("npx", ["tsc", "-p", "."], { cwd: project });
    run(process.execPath, ["hub-and-spoke.js"], { cwd: project, env: { ...process.env, CDKTF_OUTDIR: "" } });

    const out = path.join(project, "cdktf.out");
    const hub = JSON.parse(fs.readFileSync(path.join(out, "stacks", "hub", "cdk.tf.json"), "utf8"));
    const spoke = JSON.parse(fs.readFileSync(path.join(out, "stacks", "spoke", "cdk.tf.json"), "utf8"));
    expect(Object.keys(hub.resource.aws_route53_zone).sort()).toEqual([
      "ec2messages_ap-northeast-1_amazonaws_com",
      "ssm_ap-northeast-1_amazonaws_com",
      "ssmmessages_ap-northeast-1_amazonaws_com",
    ]);
    expect(Object.values<any>(hub.resource.aws_vpc_endpoint).map((e) => `${e.service_name}:${e.private_dns_enabled}`).sort()).toEqual([
      "com.amazonaws.ap-northeast-1.ec2messages:false",
      "com.amazonaws.ap-northeast-1.ssm:false",
      "com.amazonaws.ap-northeast-1.ssmmessages:false",
    ]);
    const pairs = Object.values<any>(spoke.resource.terraform_data);
    expect(pairs).toHaveLength(3);
    // Zone ids cross stacks as real tokens: read from the hub's state.
    for (const pair of pairs) expect(pair.input.zone_id).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-hub\.outputs\.cross-stack-output-aws_route53_zone/);
    expect(fs.existsSync(path.join(out, "stacks", "spoke", "assets", "phz-handshake", "protocol-1", "phz-handshake.cjs"))).toBe(true);
    expect(spoke.terraform.required_providers.aws.version).toBe(">= 5.100.0, < 7.0.0");

    const env = terraformEnv(path.join(work, "tf"));
    const results = await validateDirs(env, [path.join(out, "stacks", "hub"), path.join(out, "stacks", "spoke")]);
    expect(results.map((r) => ({ errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics.map((d) => d.summary) }))).toEqual([
      { errors: 0, warnings: 0, diagnostics: [] },
      { errors: 0, warnings: 0, diagnostics: [] },
    ]);
  }, 300_000);
});
