/**
 * `privatelink import` refuses a bad accounts file before any AWS call: exit 2, the file, the line and the
 * field, nothing on stdout, no stack trace, nothing written. (What it adopts is proven on the emulator in
 * import-moto.test.ts.)
 */
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "../helpers";
import { runIn } from "./run-command";

const ROLE = (id: string) => `arn:aws:iam::${id}:role/privatelink-deployer`;

describe("privatelink import: a bad accounts file", () => {
  it.each([
    ["malformed YAML", "accounts: [unclosed\n", /line \d+: \(top level\): YAML syntax error/],
    ["an alias bomb", ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`), "accounts: {}", ""].join("\n"), /line 1: \(top level\): cannot be read/],
    ["a template in an account name", `accounts:\n  "\${file(\\"/etc/passwd\\")}": { id: "111122223333", deployRoleArn: ${ROLE("111122223333")} }\n`, /line 2: accounts\[.*\]: Invalid key in record/],
    ["one account id twice", `accounts:\n  a: { id: "111122223333", deployRoleArn: ${ROLE("111122223333")} }\n  b: { id: "111122223333", deployRoleArn: ${ROLE("111122223333")} }\n`, /line 3: accounts\.b\.id: 111122223333 is also account a/],
    ["an unknown region", `accounts:\n  a: { id: "111122223333", deployRoleArn: ${ROLE("111122223333")} }\nregions: [ap-northest-1]\n`, /line 3: regions\[0\]: "ap-northest-1" is not a region this release knows/],
  ])("%s: exit 2, located, nothing written", async (_, text, reason) => {
    const work = tempDir("import-bad");
    fs.writeFileSync(path.join(work, "accounts.yaml"), text);
    const started = Date.now();
    const r = await runIn(work, ["import", "--accounts", "accounts.yaml", "--regions", "ap-northeast-1", "--out", "estate.yaml"], { ...process.env, TARGET_ENDPOINT: "http://127.0.0.1:9" });
    expect([r.code, r.out]).toEqual([2, ""]);
    expect(r.err).toMatch(/^accounts\.yaml: \d+ problems? found; nothing was written\./);
    expect(r.err).toMatch(reason);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(work)).toEqual(["accounts.yaml"]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
