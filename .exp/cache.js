const vm = require("vm"), fs = require("fs"), path = require("path"), Module = require("module");
const file = path.resolve("dist/assets/phz-handshake.cjs");
const src = fs.readFileSync(file, "utf8").replace(/^#!.*\n/, "");
const wrapper = Module.wrap(src);
const cacheFile = "/tmp/phz.cache";
const t0 = process.hrtime.bigint();
let cachedData; try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(wrapper, { filename: file, cachedData });
const fn = script.runInThisContext();
const m = { exports: {} };
fn.call(m.exports, m.exports, require, m, file, path.dirname(file));
const t1 = process.hrtime.bigint();
if (!cachedData || script.cachedDataRejected) fs.writeFileSync(cacheFile, script.createCachedData());
console.log(`load ${(Number(t1 - t0) / 1e6).toFixed(1)} ms, cache ${cachedData ? (script.cachedDataRejected ? "rejected" : "used") : "none"}`);
