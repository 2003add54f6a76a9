const { parseDocument, LineCounter } = require("yaml");
const merge = `base: &b { a: 1, b: 2 }\nx:\n  <<: *b\n  c: 3\n`;
const d = parseDocument(merge, { merge: true, uniqueKeys: true });
console.log(d.errors.length, JSON.stringify(d.toJS()));
const d2 = parseDocument(merge, { uniqueKeys: true });
console.log(JSON.stringify(d2.toJS()));
let lol = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
let prev = "a";
for (let i = 0; i < 9; i++) { const n = "l" + i; lol += `${n}: &${n} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]\n`; prev = n; }
const t = Date.now();
const lc = new LineCounter();
const d3 = parseDocument(lol, { merge: true, lineCounter: lc });
try { d3.toJS({ maxAliasCount: 100 }); } catch (e) { console.log(e.constructor.name, e.message, Date.now() - t, "ms"); }
