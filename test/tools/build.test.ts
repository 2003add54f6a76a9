/**
 * The build works from a checkout whose path contains a space (file URLs encode it as %20; the build
 * once read `new URL(...).pathname` and looked for sources in ".../with%20space/").
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tempDir } from "../helpers";

/** What a checkout holds that the build reads: the type-checked sources (tsconfig.json's include, tests aside) and the rest it needs. */
const SOURCES = [
  ...(JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")).include as string[]).filter((entry) => entry !== "test"),
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "examples",
];

describe("build", () => {
  it("builds (declarations included) and synthesizes from a checkout path with a space", () => {
    const checkout = path.join(tempDir("build"), "with space", "privatelink cdktf");
    fs.mkdirSync(checkout, { recursive: true });
    for (const entry of SOURCES) fs.cpSync(path.join(ROOT, entry), path.join(checkout, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(checkout, "node_modules"), "dir");

    const build = spawnSync(process.execPath, [path.join(checkout, "tools", "build.mjs"), "--types"], { cwd: checkout, encoding: "utf8" });
    expect(build.status === 0 ? "ok" : build.stderr).toBe("ok");
    for (const file of ["dist/main.js", "dist/index.d.ts", "dist/assets/phz-handshake.cjs"]) expect(fs.existsSync(path.join(checkout, file))).toBe(true);

    const synth = spawnSync(process.execPath, [path.join(checkout, "dist", "main.js")], { cwd: checkout, encoding: "utf8", env: { ...process.env, TOPOLOGY: "", CDKTF_OUTDIR: "" } });
    expect(synth.status === 0 ? "ok" : synth.stderr).toBe("ok");
    // The spoke stacks ship the handshake bundle built in that checkout.
    const asset = path.join(checkout, "cdktf.out", "stacks", "spoke-app-tokyo", "assets", "phz-handshake", "protocol-1", "phz-handshake.cjs");
    expect(fs.readFileSync(asset)).toEqual(fs.readFileSync(path.join(checkout, "dist", "assets", "phz-handshake.cjs")));
  }, 120_000);
});
