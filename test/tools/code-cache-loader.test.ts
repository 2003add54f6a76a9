/**
 * The handshake bundle's loader (tools/code-cache-loader.cjs): its V8 code cache, and the boot slots
 * that make handshakes started at once load one per core instead of all together.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tempDir } from "../helpers";

const BUNDLE = path.join(ROOT, "dist", "assets", "phz-handshake.cjs");

function start(stateDir: string, slots: string) {
  const child = spawn(process.execPath, [BUNDLE, "--help"], { env: { ...process.env, PHZ_STATE_DIR: stateDir, PHZ_BOOT_SLOTS: slots } });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { exited, output: () => stdout };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("code-cache loader", () => {
  it("writes a code cache on the first run and runs from it afterwards", () => {
    const stateDir = tempDir("loader-cache");
    const run = () => spawnSync(process.execPath, [BUNDLE, "--help"], { encoding: "utf8", env: { ...process.env, PHZ_STATE_DIR: stateDir } });
    expect(run().stdout).toMatch(/^Usage: phz-handshake/);
    const caches = fs.readdirSync(path.join(stateDir, "code-cache"));
    expect(caches).toEqual([expect.stringMatching(new RegExp(`^[0-9a-f]+-${process.version.replace(/\./g, "\\.")}-${process.arch}\\.bin$`))]);
    const cache = path.join(stateDir, "code-cache", caches[0]);
    const written = fs.statSync(cache).mtimeMs;
    expect(run().status).toBe(0);
    // Accepted, so not rewritten.
    expect(fs.statSync(cache).mtimeMs).toBe(written);
  });

  it("waits while every boot slot is taken, loads when one frees, and frees its own", async () => {
    const stateDir = tempDir("loader-slots");
    const busy = path.join(stateDir, "boot", "slot-0");
    fs.mkdirSync(busy, { recursive: true });
    const run = start(stateDir, "1");
    await sleep(1500);
    expect(run.output()).toBe(""); // still waiting for the slot
    fs.rmdirSync(busy);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^Usage: phz-handshake/);
    expect(fs.readdirSync(path.join(stateDir, "boot"))).toEqual([]);
  }, 20_000);

  it("takes over a slot left by a killed process (older than 5 s) at once", async () => {
    const stateDir = tempDir("loader-stale");
    const stale = path.join(stateDir, "boot", "slot-0");
    fs.mkdirSync(stale, { recursive: true });
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(stale, old, old);
    const started = Date.now();
    const run = start(stateDir, "1");
    expect(await run.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(fs.readdirSync(path.join(stateDir, "boot"))).toEqual([]);
  }, 20_000);

  it("loads without waiting when PHZ_BOOT_SLOTS=0, whatever the slots say", async () => {
    const stateDir = tempDir("loader-off");
    fs.mkdirSync(path.join(stateDir, "boot", "slot-0"), { recursive: true });
    const started = Date.now();
    const run = start(stateDir, "0");
    expect(await run.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(fs.readdirSync(path.join(stateDir, "boot"))).toEqual(["slot-0"]);
  }, 20_000);
});
