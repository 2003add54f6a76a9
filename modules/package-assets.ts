/** Where this package keeps what it ships beside the code (the bundled handshake script). */
import * as fs from "fs";
import * as path from "path";

/** The names this package is published under: the cdktf flavour and the CDK Terrain flavour (see framework/core.ts). */
export const PACKAGE_NAMES: readonly string[] = ["privatelink-cdktf", "privatelink-cdktn"];

/** The package root: the directory of this package's package.json (a checkout, or node_modules/privatelink-cdkt{f,n}). */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json")) || !PACKAGE_NAMES.includes(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name)) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`the package.json of ${PACKAGE_NAMES.join(" or ")} was not found above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * The self-contained phz-handshake bundle that spoke stacks ship (written by `npm run build`): the one beside
 * this build's code (`<dist>/assets/`, for either flavour), else the checkout's `dist/assets/` (sources run
 * by ts-jest).
 */
export function handshakeBundle(): string {
  const candidates = [
    path.join(__dirname, "..", "assets", "phz-handshake.cjs"), // <dist>/modules/package-assets.js
    path.join(__dirname, "phz-handshake.cjs"), // bundled into <dist>/assets/privatelink.cjs
    path.join(projectRoot(), "dist", "assets", "phz-handshake.cjs"),
  ];
  const bundle = candidates.find((file) => fs.existsSync(file));
  if (!bundle) {
    throw new Error(`${candidates[candidates.length - 1]} is missing: run npm run build (npm run synth, npm test and the cdktf app command do it first)`);
  }
  return bundle;
}
