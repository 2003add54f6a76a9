// Transpiles the TypeScript sources to dist/ (no type-checking: `npm test` runs tsc) and bundles the
// runnable tools that ship inside synthesized stacks into self-contained files under dist/assets/.
//   --types           also emit the type declarations (dist/**/*.d.ts) of the library: `npm run build`, `npm pack`.
//   --flavour cdktn   the CDK Terrain flavour instead, into dist-cdktn/: the same code with the framework
//                     seam's module specifiers rewritten (cdktf -> cdktn, @cdktf/provider-aws -> @cdktn/provider-aws),
//                     in the compiled JavaScript, the bundles and the declarations (see framework/core.ts).
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FLAVOURS, flavouredSpecifier, rewriteSpecifiers as rewriteFlavoured } from "./flavours.mjs";

// fileURLToPath, never URL.pathname: a checkout path with a space (%20) or a Windows drive must work.
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const flavourArg = process.argv.indexOf("--flavour");
const flavour = flavourArg === -1 ? "cdktf" : process.argv[flavourArg + 1];
if (!(flavour in FLAVOURS)) {
  console.error(`build: --flavour must be ${Object.keys(FLAVOURS).join(" or ")}, not ${flavour}`);
  process.exit(2);
}
const { outdir } = FLAVOURS[flavour];
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const flavoured = (specifier) => flavouredSpecifier(specifier, flavour);
const rewriteSpecifiers = (text) => rewriteFlavoured(text, flavour);

/** Every file under a directory of the output, with a given ending. */
function outputFiles(dir, ending) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) return outputFiles(file, ending);
    return name.endsWith(ending) ? [file] : [];
  });
}

const sourceDirs = ["framework", "aws", "topology", "cost", "modules", "stacks", "synth", "cli", "tools"];

function tsFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return tsFiles(rel);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [rel] : [];
  });
}

const started = Date.now();
if (flavour !== "cdktf") rmSync(join(root, outdir), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["index.ts", "main.ts", ...sourceDirs.flatMap(tsFiles)],
  outdir,
  outbase: ".",
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});
if (flavour !== "cdktf") {
  // Only the seam names the framework: a specifier anywhere else means the seam was bypassed.
  const rewritten = [];
  for (const file of outputFiles(join(root, outdir), ".js")) {
    const text = readFileSync(file, "utf8");
    const next = rewriteSpecifiers(text);
    if (next !== text) {
      writeFileSync(file, next);
      rewritten.push(file.slice(join(root, outdir).length + 1));
    }
  }
  const outside = rewritten.filter((f) => !f.startsWith("framework/"));
  if (outside.length > 0) {
    console.error(`build: ${outside.join(", ")} import the framework directly; only framework/ may (see framework/core.ts)`);
    process.exit(1);
  }
}

// Self-contained tools: everything (AWS SDK included) in one file, runnable with plain `node`.
const bundles = [
  // Run by every (zone, VPC) pair, often a hundred at once: compiled with a V8 code cache (tools/code-cache-loader.cjs).
  { source: "cli/phz-handshake/main.ts", outfile: `${outdir}/assets/phz-handshake.cjs`, codeCache: true },
  { source: "cli/bin/onprem-dns.ts", outfile: `${outdir}/assets/onprem-dns.cjs` },
  // The operations command: everything but the construct libraries, which come from the installation.
  { source: "cli/bin/privatelink.ts", outfile: `${outdir}/assets/privatelink.cjs`, framework: true, minify: false },
];
/** The construct libraries stay outside the bundle, named as this flavour names them. */
const frameworkExternal = {
  name: "framework-external",
  setup(b) {
    b.onResolve({ filter: /^(constructs|cdktf|@cdktf\/provider-aws)(\/.*)?$/ }, (args) => ({ path: flavoured(args.path), external: true }));
  },
};
for (const entry of bundles) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry.source],
    outfile: entry.outfile,
    bundle: true,
    minify: entry.minify ?? true,
    plugins: entry.framework ? [frameworkExternal] : [],
    format: "cjs",
    platform: "node",
    target: "node20",
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
    // The bundles may run outside the package (phz-handshake inside a stack): --version is compiled in.
    define: { __PRIVATELINK_VERSION__: JSON.stringify(manifest.version), __PRIVATELINK_PACKAGE__: JSON.stringify(FLAVOURS[flavour].packageName) },
    logLevel: "warning",
  });
  if (entry.codeCache) {
    const outfile = join(root, entry.outfile);
    const body = readFileSync(outfile, "utf8").replace(/^#!.*\n/, "");
    const loader = readFileSync(join(root, "tools", "code-cache-loader.cjs"), "utf8")
      .replace("__BODY__", () => JSON.stringify(body))
      .replace("__DIGEST__", () => JSON.stringify(createHash("sha256").update(body).digest("hex").slice(0, 16)));
    writeFileSync(outfile, `#!/usr/bin/env node\n${loader}`);
  }
  chmodSync(join(root, entry.outfile), 0o755);
}

if (process.argv.includes("--types")) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  // The cdktn flavour's declarations are checked against CDK Terrain's own types (tsconfig.cdktn.json maps the names).
  const config = flavour === "cdktf" ? "tsconfig.build.json" : "tsconfig.build-cdktn.json";
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, config), "--outDir", join(root, outdir)], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("build: type declarations failed (see tsc's errors above)");
    process.exit(1);
  }
  if (flavour !== "cdktf") {
    for (const file of outputFiles(join(root, outdir), ".d.ts")) {
      const text = readFileSync(file, "utf8");
      const next = rewriteSpecifiers(text);
      if (next !== text) writeFileSync(file, next);
    }
  }
}
console.error(`build: ${outdir}/ ready in ${Date.now() - started} ms`);
