/** Where this package keeps what it ships beside the code (the bundled handshake script). */
import * as fs from "fs";
import * as path from "path";

/** The package root: the directory of privatelink-cdktf's package.json (a checkout, or node_modules/privatelink-cdktf). */
export function projectRoot(from = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== "privatelink-cdktf") {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`privatelink-cdktf's package.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The self-contained phz-handshake bundle that spoke stacks ship (written by `npm run build`). */
export function handshakeBundle(): string {
  const bundle = path.join(projectRoot(), "dist", "assets", "phz-handshake.cjs");
  if (!fs.existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run npm run build (npm run synth, npm test and the cdktf app command do it first)`);
  }
  return bundle;
}
