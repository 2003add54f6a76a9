/**
 * What a user of the library does, in both flavours: pack the package (`npm pack` for privatelink-cdktf,
 * `npm run pack:cdktn` for privatelink-cdktn), install the tarball into a new project with the framework
 * it peer-depends on, compile the library example the tarball ships (examples/library/hub-and-spoke.ts)
 * with tsc and synthesize it; then `terraform validate` what came out. The cdktf flavour runs on this
 * machine's Node.js (20), the CDK Terrain flavour on Node 22 (tools/toolchains/node22). Needs the dist/ and
 * dist-cdktn/ of `npm test`'s build (type declarations included); npm installs from its cache (the registry
 * when the cache lacks a package).
 */
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { terraformEnv, validateDirs } from "../tools/terraform-env";
import { pathWithNode } from "../tools/toolchain";
import { ROOT, tempDir } from "./helpers";

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return String(result.stdout);
}

interface Flavour {
  readonly name: "cdktf" | "cdktn";
  readonly packageName: string;
  readonly dist: string;
  readonly framework: { readonly core: string; readonly aws: string; readonly version: string };
  /** The environment npm, tsc and the example run with (PATH names the Node.js). */
  env(): NodeJS.ProcessEnv;
  /** Packs the tarball into `work`: its path and file list. */
  pack(work: string): { tarball: string; files: string[] };
}

const FLAVOURS: Flavour[] = [
  {
    name: "cdktf",
    packageName: "privatelink-cdktf",
    dist: "dist",
    framework: { core: "cdktf", aws: "@cdktf/provider-aws", version: "0.21.0" },
    env: () => ({ ...process.env }),
    pack(work) {
      // --ignore-scripts: dist/ is already built (with declarations) by npm test; prepack would rebuild it under the other test files' feet.
      const [packed] = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT }));
      return { tarball: path.join(work, packed.filename), files: packed.files.map((f: { path: string }) => f.path) };
    },
  },
  {
    name: "cdktn",
    packageName: "privatelink-cdktn",
    dist: "dist-cdktn",
    framework: { core: "cdktn", aws: "@cdktn/provider-aws", version: "0.24.0" },
    env: () => ({ ...process.env, PATH: pathWithNode("node22") }),
    pack(work) {
      // What `npm run pack:cdktn` runs, without rebuilding dist-cdktn/ (npm test built it).
      const tarball = run(process.execPath, [path.join(ROOT, "tools", "pack-flavour.mjs"), "--no-build", "--pack-destination", work], { cwd: ROOT }).trim();
      const listing = run("tar", ["tzf", tarball], { cwd: work });
      return { tarball, files: listing.split("\n").filter((f) => f && !f.endsWith("/")).map((f) => f.replace(/^package\//, "")) };
    },
  },
];

describe.each(FLAVOURS)("the $packageName package, as users install it", (flavour) => {
  const work = tempDir(`package-${flavour.name}`);
  const project = path.join(work, "project");
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    for (const file of ["index.js", "index.d.ts", "modules/centralized-endpoint.d.ts", "assets/phz-handshake.cjs"]) {
      if (!fs.existsSync(path.join(ROOT, flavour.dist, file))) throw new Error(`${flavour.dist}/${file} is missing: run npm run build and npm run build:cdktn (npm test does both first)`);
    }
    ({ tarball, files } = flavour.pack(work));
  }, 15 * 60_000);

  it("ships the compiled library with type declarations, the bundled commands, and nothing of the development tooling", () => {
    expect(path.basename(tarball)).toMatch(new RegExp(`^${flavour.packageName}-\\d+\\.\\d+\\.\\d+\\.tgz$`));
    expect(files).toEqual(expect.arrayContaining(["package.json", "LICENSE", "README.md", "dist/index.js", "dist/index.d.ts", "dist/modules/zone-sharing.d.ts", "dist/assets/phz-handshake.cjs", "dist/assets/onprem-dns.cjs", "dist/assets/privatelink.cjs", "topology.schema.json", "examples/library/hub-and-spoke.ts"]));
    expect(files.filter((f) => f.startsWith("dist/tools/") || f.startsWith("test/") || f.endsWith(".map") || f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("examples/"))).toEqual([]);
    fs.mkdirSync(path.join(work, "unpacked"), { recursive: true });
    run("tar", ["xzf", tarball, "-C", path.join(work, "unpacked")], {});
    const manifest = JSON.parse(fs.readFileSync(path.join(work, "unpacked", "package", "package.json"), "utf8"));
    expect(manifest.name).toBe(flavour.packageName);
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.bin).sort()).toEqual(["onprem-dns", "phz-handshake", "privatelink"]);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual([flavour.framework.aws, flavour.framework.core, "constructs"].sort());
    expect(manifest.engines.node).toBe(flavour.name === "cdktf" ? ">=20" : ">=22.19.0");
  });

  it("installs from the tarball, runs its commands, compiles the library example it ships with tsc, and synthesizes a hub and a spoke that terraform validates", async () => {
    const env = flavour.env();
    fs.mkdirSync(project);
    const example = path.join(work, "unpacked", "package", "examples", "library");
    const manifest = JSON.parse(fs.readFileSync(path.join(example, "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual([flavour.framework.aws, flavour.framework.core, "constructs", flavour.packageName].sort());
    manifest.dependencies[flavour.packageName] = `file:${tarball}`;
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
    for (const file of ["hub-and-spoke.ts", "tsconfig.json"]) fs.copyFileSync(path.join(example, file), path.join(project, file));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: project, env });
    // What users import is the installed package, not this checkout; its declarations name the flavour's framework.
    const installed = path.join(project, "node_modules", flavour.packageName);
    expect(fs.realpathSync(installed)).toBe(installed);
    expect(fs.readFileSync(path.join(installed, "dist", "framework", "core.d.ts"), "utf8")).toContain(`from "${flavour.framework.core}"`);
    expect(JSON.parse(fs.readFileSync(path.join(project, "node_modules", flavour.framework.core, "package.json"), "utf8")).version).toBe(flavour.framework.version);

    // The commands run from the installation (the operations command's peer dependencies resolved there).
    const bin = (name: string) => path.join(project, "node_modules", ".bin", name);
    expect(run(bin("privatelink"), ["--help"], { cwd: project, env })).toContain("preflight");
    expect(spawnSync(bin("phz-handshake"), ["--help"], { cwd: project, env, encoding: "utf8" }).stdout).toContain("associate");
    expect(spawnSync(bin("onprem-dns"), ["--help"], { cwd: project, env, encoding: "utf8" }).stdout).toContain("--format");

    run("npx", ["tsc", "-p", "."], { cwd: project, env });
    run("node", ["hub-and-spoke.js"], { cwd: project, env: { ...env, CDKTF_OUTDIR: "" } });

    const out = path.join(project, "cdktf.out");
    const hub = JSON.parse(fs.readFileSync(path.join(out, "stacks", "hub", "cdk.tf.json"), "utf8"));
    const spoke = JSON.parse(fs.readFileSync(path.join(out, "stacks", "spoke", "cdk.tf.json"), "utf8"));
    expect(hub["//"].metadata.version).toBe(flavour.framework.version);
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

    const tf = terraformEnv(path.join(work, "tf"));
    const results = await validateDirs(tf, [path.join(out, "stacks", "hub"), path.join(out, "stacks", "spoke")]);
    expect(results.map((r) => ({ errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics.map((d) => d.summary) }))).toEqual([
      { errors: 0, warnings: 0, diagnostics: [] },
      { errors: 0, warnings: 0, diagnostics: [] },
    ]);
  }, 15 * 60_000);
});
