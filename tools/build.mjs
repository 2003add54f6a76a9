// Transpiles the TypeScript sources to dist/ (no type-checking: `npm test` runs tsc) and bundles the
// runnable tools that ship inside synthesized stacks into self-contained files under dist/assets/.
//   --types           also emit the type declarations (dist/**/*.d.ts) of the library: `npm run build`, `npm pack`.
//   --flavour cdktn   the CDK Terrain flavour instead, into dist-cdktn/: the same code with the framework
//                     seam's module specifiers rewritten (cdktf -> cdktn, @cdktf/provider-aws -> @cdktn/provider-aws),
//                     in the compiled JavaScript, the bundles and the declarations (see framework/core.ts).
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
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

/**
 * Writes a built file only when its content changed, through a temporary file renamed into place: a test or a
 * command running dist/ while another build runs (`npm run emulator` builds first) sees the old file or the
 * new one, never half of one.
 */
function writeAtomic(file, content, mode) {
  const data = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  try {
    if (readFileSync(file).equals(data)) {
      if (mode !== undefined) chmodSync(file, mode);
      return;
    }
  } catch {
    // a new file
  }
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, data, mode !== undefined ? { mode } : undefined);
  if (mode !== undefined) chmodSync(temp, mode);
  renameSync(temp, file);
}

const started = Date.now();
const compiled = await build({
  absWorkingDir: root,
  entryPoints: ["index.ts", "main.ts", ...sourceDirs.flatMap(tsFiles)],
  outdir,
  outbase: ".",
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  write: false,
});
// Only the seam names the framework: in the cdktn flavour, a specifier anywhere else means the seam was bypassed.
const rewritten = [];
for (const output of compiled.outputFiles) {
  const text = output.text;
  const next = output.path.endsWith(".js") ? rewriteSpecifiers(text) : text;
  if (next !== text) rewritten.push(output.path.slice(join(root, outdir).length + 1));
  writeAtomic(output.path, next);
}
const outside = rewritten.filter((f) => !f.startsWith("framework/"));
if (outside.length > 0) {
  console.error(`build: ${outside.join(", ")} import the framework directly; only framework/ may (see framework/core.ts)`);
  process.exit(1);
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
  const bundled = await build({
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
    // Only the operations command names its flavour's package: the other bundles are the same in both flavours
    // (the handshake ships inside spoke stacks, which both flavours synthesize byte for byte alike).
    define: { __PRIVATELINK_VERSION__: JSON.stringify(manifest.version), __PRIVATELINK_PACKAGE__: JSON.stringify(entry.framework ? FLAVOURS[flavour].packageName : "") },
    logLevel: "warning",
    write: false,
  });
  let text = bundled.outputFiles[0].text;
  if (entry.codeCache) {
    const body = text.replace(/^#!.*\n/, "");
    const loader = readFileSync(join(root, "tools", "code-cache-loader.cjs"), "utf8")
      .replace("__BODY__", () => JSON.stringify(body))
      .replace("__DIGEST__", () => JSON.stringify(createHash("sha256").update(body).digest("hex").slice(0, 16)));
    text = `#!/usr/bin/env node\n${loader}`;
  }
  writeAtomic(join(root, entry.outfile), text, 0o755);
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
