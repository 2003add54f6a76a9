// Transpiles the TypeScript sources to dist/ (no type-checking: `npm test` runs tsc) and bundles the
// runnable tools that ship inside synthesized stacks into self-contained files under dist/assets/.
//   --types   also emit the type declarations (dist/**/*.d.ts) of the library: `npm run build`, `npm pack`.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// fileURLToPath, never URL.pathname: a checkout path with a space (%20) or a Windows drive must work.
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDirs = ["aws", "topology", "cost", "modules", "stacks", "synth", "cli", "tools"];

function tsFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return tsFiles(rel);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [rel] : [];
  });
}

const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: ["index.ts", "main.ts", ...sourceDirs.flatMap(tsFiles)],
  outdir: "dist",
  outbase: ".",
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
});

// Self-contained tools: everything (AWS SDK included) in one file, runnable with plain `node`.
const bundles = [
  // Run by every (zone, VPC) pair, often a hundred at once: compiled with a V8 code cache (tools/code-cache-loader.cjs).
  { source: "cli/phz-handshake/main.ts", outfile: "dist/assets/phz-handshake.cjs", codeCache: true },
  { source: "cli/bin/onprem-dns.ts", outfile: "dist/assets/onprem-dns.cjs" },
  // The operations command: everything but the construct libraries, which come from the installation.
  { source: "cli/bin/privatelink.ts", outfile: "dist/assets/privatelink.cjs", external: ["cdktf", "constructs", "@cdktf/provider-aws", "@cdktf/provider-aws/*"], minify: false },
];
for (const entry of bundles) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry.source],
    outfile: entry.outfile,
    bundle: true,
    minify: entry.minify ?? true,
    external: entry.external ?? [],
    format: "cjs",
    platform: "node",
    target: "node20",
    legalComments: "none",
    banner: { js: "#!/usr/bin/env node" },
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
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("build: type declarations failed (see tsc's errors above)");
    process.exit(1);
  }
}
console.error(`build: dist/ ready in ${Date.now() - started} ms`);
