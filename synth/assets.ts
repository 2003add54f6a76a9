import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";

/** The project root: the directory of this package's package.json. */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== "privatelink-cdktf") {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`privatelink-cdktf's package.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The self-contained phz-handshake bundle that spoke stacks ship (`npm run build` writes it; built
 * here if it is missing, e.g. when the stacks are built from a test).
 */
export function handshakeBundle(): string {
  const root = projectRoot();
  const bundle = path.join(root, "dist", "assets", "phz-handshake.cjs");
  if (!fs.existsSync(bundle)) {
    buildSync({
      absWorkingDir: root,
      entryPoints: ["scripts/phz-handshake.ts"],
      outfile: bundle,
      bundle: true,
      minify: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      legalComments: "none",
      banner: { js: "#!/usr/bin/env node" },
      logLevel: "warning",
    });
    fs.chmodSync(bundle, 0o755);
  }
  return bundle;
}
