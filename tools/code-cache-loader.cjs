// A self-contained command that compiles its own code with a V8 code cache, kept per user in
// $PHZ_STATE_DIR/code-cache (default <tmp>/privatelink-cdktf/code-cache): a hundred handshakes that
// start at once on two cores each spend ~40 ms less compiling. Any problem with the cache (unwritable
// directory, a cache V8 rejects, another Node version) only means compiling as usual.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const vm = require("vm");
const Module = require("module");
const BODY = __BODY__;
const DIGEST = __DIGEST__;
const dir = path.join(process.env.PHZ_STATE_DIR || path.join(os.tmpdir(), "privatelink-cdktf"), "code-cache");
const cacheFile = path.join(dir, `${DIGEST}-${process.version}-${process.arch}.bin`);
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {}
const script = new vm.Script(Module.wrap(BODY), { filename: __filename, cachedData });
const body = { exports: {} };
script.runInThisContext().call(body.exports, body.exports, require, body, __filename, __dirname);
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
