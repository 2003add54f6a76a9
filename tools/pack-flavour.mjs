// `npm run pack:cdktn [-- --pack-destination DIR] [--no-build]`: the CDK Terrain flavour's tarball, privatelink-cdktn-<version>.tgz
// (in the current directory by default). Builds dist-cdktn/ with declarations, stages the package (this
// package's files, with dist-cdktn/ as dist/ and the library example migrated to CDK Terrain), and runs
// `npm pack` on the staging directory. Its package.json: its own name, CDK Terrain's peer dependencies
// and Node.js versions; the same bins, exports and files as the cdktf flavour.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { flavourOf, migrateSource } from "./flavours.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
let destination = process.cwd();
let name = "cdktn";
let buildFirst = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--pack-destination" && args[i + 1]) destination = resolve(args[++i]);
  else if (args[i] === "--flavour" && args[i + 1]) name = args[++i];
  else if (args[i] === "--no-build") buildFirst = false;
  else {
    console.error(`usage: node tools/pack-flavour.mjs [--flavour cdktn] [--pack-destination DIR] [--no-build]\nunknown argument ${args[i]}`);
    process.exit(2);
  }
}
const flavour = flavourOf(name);
if (name === "cdktf") {
  console.error("pack-flavour: the cdktf flavour is this package itself: npm pack");
  process.exit(2);
}
if (buildFirst) {
  const build = spawnSync(process.execPath, [join(root, "tools", "build.mjs"), "--flavour", name, "--types"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const stage = mkdtempSync(join(tmpdir(), `${flavour.packageName}-`));
try {
  cpSync(join(root, flavour.outdir), join(stage, "dist"), { recursive: true });
  for (const entry of ["README.md", "LICENSE", "topology.schema.json", "docs", "examples/topology.yaml"]) cpSync(join(root, entry), join(stage, entry), { recursive: true });
  // The library example, as a user of this flavour writes it.
  const example = join(stage, "examples", "library");
  cpSync(join(root, "examples", "library"), example, { recursive: true });
  writeFileSync(join(example, "hub-and-spoke.ts"), migrateSource(readFileSync(join(example, "hub-and-spoke.ts"), "utf8"), name));
  const exampleManifest = JSON.parse(readFileSync(join(example, "package.json"), "utf8"));
  const dependencies = Object.fromEntries(Object.entries(exampleManifest.dependencies).filter(([dep]) => !["cdktf", "@cdktf/provider-aws", "constructs", "privatelink-cdktf"].includes(dep)));
  exampleManifest.dependencies = sorted({ ...dependencies, ...flavour.exampleDependencies, [flavour.packageName]: `^${manifest.version}` });
  exampleManifest.devDependencies = sorted({ ...exampleManifest.devDependencies, ...flavour.exampleDevDependencies });
  exampleManifest.description = exampleManifest.description.replace("privatelink-cdktf", flavour.packageName);
  writeFileSync(join(example, "package.json"), `${JSON.stringify(exampleManifest, null, 2)}\n`);

  const { devDependencies: _dev, scripts: _scripts, overrides: _overrides, ...published } = manifest;
  const keywords = published.keywords.map((k) => (k === "cdktf" ? name : k));
  writeFileSync(
    join(stage, "package.json"),
    `${JSON.stringify({ ...published, name: flavour.packageName, description: flavour.description, keywords, engines: flavour.engines, peerDependencies: flavour.peerDependencies }, null, 2)}\n`,
  );
  const pack = spawnSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], { cwd: stage, encoding: "utf8" });
  if (pack.status !== 0) {
    console.error(pack.stdout, pack.stderr);
    process.exit(pack.status ?? 1);
  }
  const [packed] = JSON.parse(pack.stdout);
  console.log(join(destination, packed.filename));
} finally {
  rmSync(stage, { recursive: true, force: true });
}

function sorted(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}
