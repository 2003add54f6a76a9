// A self-contained command that compiles its own code with a V8 code cache, kept per user in
// $PHZ_STATE_DIR/code-cache (default <tmp>/privatelink-cdktf/code-cache): a hundred handshakes that
// start at once on two cores each spend ~40 ms less compiling. Any problem with the cache (unwritable
// directory, a cache V8 rejects, another Node version) only means compiling as usual.
//
// Run as a command, it also takes turns loading: at most one process per core evaluates the bundle (the AWS
// SDK's start-up is most of a handshake's CPU) at a time, through slot directories in
// $PHZ_STATE_DIR/boot. Thirty handshakes started at once on two cores then reach Route 53 one after the
// other from the first ~0.3 s, instead of all together after ~3 s. A slot older than 5 s is stale (a
// killed process); waiting ends after 5 s whatever happens; PHZ_BOOT_SLOTS=0 turns the turns off.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const vm = require("vm");
const Module = require("module");
const BODY = __BODY__;
const DIGEST = __DIGEST__;
const stateDir = process.env.PHZ_STATE_DIR || path.join(os.tmpdir(), "privatelink-cdktf");
const dir = path.join(stateDir, "code-cache");

/** A boot slot (a directory this process created), or undefined to load without one. */
function takeBootSlot() {
  const slots = process.env.PHZ_BOOT_SLOTS === undefined ? (os.availableParallelism ? os.availableParallelism() : os.cpus().length) : Number(process.env.PHZ_BOOT_SLOTS);
  if (!(slots >= 1)) return undefined;
  const base = path.join(stateDir, "boot");
  try {
    fs.mkdirSync(base, { recursive: true });
  } catch {
    return undefined;
  }
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    for (let i = 0; i < slots; i++) {
      const slot = path.join(base, `slot-${i}`);
      try {
        fs.mkdirSync(slot);
        return slot;
      } catch (error) {
        if (error.code !== "EEXIST") return undefined;
        try {
          if (Date.now() - fs.statSync(slot).mtimeMs > 5000) fs.rmdirSync(slot);
        } catch {}
      }
    }
    if (Date.now() > deadline) return undefined;
    Atomics.wait(pause, 0, 0, 10); // sleeps without using the CPU the others are loading with
  }
}
const releaseBootSlot = (slot) => {
  try {
    if (slot) fs.rmdirSync(slot);
  } catch {}
};
const cacheFile = path.join(dir, `${DIGEST}-${process.version}-${process.arch}.bin`);
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {}
const slot = require.main === module ? takeBootSlot() : undefined;
const body = { exports: {} };
let script;
try {
  script = new vm.Script(Module.wrap(BODY), { filename: __filename, cachedData });
  script.runInThisContext().call(body.exports, body.exports, require, body, __filename, __dirname);
} finally {
  releaseBootSlot(slot);
}
if (cachedData === undefined || script.cachedDataRejected) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temporary = `${cacheFile}.${process.pid}`;
    fs.writeFileSync(temporary, script.createCachedData());
    fs.renameSync(temporary, cacheFile);
  } catch {}
}
module.exports = body.exports;
if (require.main === module && typeof body.exports.main === "function") body.exports.main(process.argv.slice(2)).then((code) => process.exit(code));
