/**
 * The first pull request of a new estate, on the emulator: `privatelink plan --parallel 8` of the example
 * with nothing applied, three times in a row, under a terraform CLI configuration that makes terraform print a
 * warning (TF_CLI_CONFIG_FILE names a missing file, as some CI images ship; the provider then comes from the
 * implied local mirror ~/.terraform.d/plugins). Every stack plans (no "No stored state was found"), the warning
 * is passed on, and no 45 s pass without a line. Then a stack made to fail (a spoke whose VPC does not exist)
 * is the first thing both summaries say, and the exit code says it too.
 */
import * as fs from "fs";
import * as path from "path";
import { main } from "../../cli/privatelink";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, tempDir } from "../helpers";

const STACKS = ["consumer-orders-api-tokyo", "consumer-orders-api-virginia", "hub-tokyo", "service-orders-api", "spoke-app-osaka", "spoke-app-tokyo"];

function capture() {
  const lines: Array<{ at: number; text: string; stream: "out" | "err" }> = [];
  return {
    io: { out: (text: string) => lines.push({ at: Date.now(), text, stream: "out" }), err: (text: string) => lines.push({ at: Date.now(), text, stream: "err" }) },
    out: () => lines.filter((l) => l.stream === "out").map((l) => l.text).join(""),
    err: () => lines.filter((l) => l.stream === "err").map((l) => l.text).join(""),
    /** The longest time without a line, in seconds. */
    longestSilence: () => Math.max(0, ...lines.slice(1).map((l, i) => (l.at - lines[i].at) / 1000)),
  };
}

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

describe("a fresh estate's pull request (moto)", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let doc: Record<string, any>;

  beforeAll(async () => {
    work = tempDir("plan-review");
    emulator = await startEmulator();
    doc = await emulator.prepare(readTopologyDoc(EXAMPLE));
    doc.backend = { kind: "local", directory: path.relative(process.cwd(), path.join(work, "state")) };
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(doc, null, 2));
    // The provider from the implied mirror of a home directory; the configured CLI file does not exist.
    const home = path.join(work, "home");
    fs.mkdirSync(path.join(home, ".terraform.d"), { recursive: true });
    fs.symlinkSync(terraformEnv(path.join(work, "tf")).mirror, path.join(home, ".terraform.d", "plugins"));
    env = {
      ...process.env,
      HOME: home,
      TF_CLI_CONFIG_FILE: path.join(work, "missing.terraformrc"),
      TOPOLOGY: path.join(work, "topology.json"),
      TARGET_ENDPOINT: emulator.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      CDKTF_OUTDIR: path.join(work, "cdktf.out"),
    };
  }, 300_000);

  it("plans every stack at --parallel 8, three times in a row, passing terraform's CLI-configuration warning on and never silent for 45 s", async () => {
    const runs: Array<{ seconds: number; silence: number }> = [];
    for (let i = 0; i < 3; i++) {
      const c = capture();
      const started = Date.now();
      const code = await main(["plan", "--parallel", "8", "--summary-json", path.join(work, `plan-${i}.json`), "--summary-md", path.join(work, `plan-${i}.md`)], env, c.io);
      if (code === 2) throw new Error(c.err());
      const summary = JSON.parse(fs.readFileSync(path.join(work, `plan-${i}.json`), "utf8"));
      expect({ run: i, code, failed: summary.stacks.filter((s: any) => s.status === "failed").map((s: any) => `${s.name}: ${s.error}`) }).toEqual({ run: i, code: 0, failed: [] });
      expect(summary.stacks.map((s: any) => s.name).sort()).toEqual(STACKS);
      expect(summary.stacks.every((s: any) => s.status === "changes")).toBe(true);
      expect(c.out()).not.toMatch(/No stored state was found|Unable to find remote state/);
      // The CLI configuration's warning reaches the user, once.
      expect(c.err().match(/Unable to open CLI configuration file/g)).toHaveLength(1);
      // The spokes and consumers read outputs their upstream does not have yet: the summary says to re-plan them.
      expect(summary.stacks.filter((s: any) => s.replanAfter).map((s: any) => `${s.name}<-${s.replanAfter}`).sort()).toEqual([
        "consumer-orders-api-tokyo<-service-orders-api",
        "consumer-orders-api-virginia<-service-orders-api",
        "spoke-app-osaka<-hub-tokyo",
        "spoke-app-tokyo<-hub-tokyo",
      ]);
      expect(fs.readFileSync(path.join(work, `plan-${i}.md`), "utf8").split("\n")[0]).toBe("## privatelink plan: 59 to create, 0 to update, 0 to replace, 0 to delete");
      runs.push({ seconds: (Date.now() - started) / 1000, silence: c.longestSilence() });
    }
    expect(runs.map((r) => r.silence).filter((s) => s >= 45)).toEqual([]);
    process.stdout.write(`fresh-estate plan --parallel 8: ${runs.map((r) => `${r.seconds.toFixed(0)} s (longest silence ${r.silence.toFixed(0)} s)`).join(", ")}\n`);
  }, 20 * 60_000);

  it("a stack that fails (its VPC does not exist) comes first in both summaries with terraform's error, and --detailed-exitcode is 1", async () => {
    const broken = JSON.parse(JSON.stringify(doc));
    broken.vpcs["app-osaka"].vpcId = "vpc-0000000000000dead";
    fs.writeFileSync(path.join(work, "broken.json"), JSON.stringify(broken, null, 2));
    const c = capture();
    const code = await main(
      // Two stacks are enough to see the order (and keep CI short): the broken spoke and its hub.
      ["plan", "--topology", path.join(work, "broken.json"), "--stacks", "hub-tokyo,spoke-app-osaka", "--detailed-exitcode", "--summary-json", path.join(work, "broken-plan.json"), "--summary-md", path.join(work, "broken-plan.md")],
      { ...env, PRIVATELINK_ESTATE: path.join(work, "broken.estate.json") },
      c.io,
    );
    expect(code).toBe(1);
    const summary = JSON.parse(fs.readFileSync(path.join(work, "broken-plan.json"), "utf8"));
    expect(summary.failed).toBe(1);
    expect(summary.stacks[0]).toMatchObject({ name: "spoke-app-osaka", status: "failed", error: expect.stringContaining("no matching EC2 VPC found") });
    expect(summary.stacks.slice(1).every((s: any) => s.status === "changes")).toBe(true);
    const md = fs.readFileSync(path.join(work, "broken-plan.md"), "utf8").split("\n");
    expect(md[0]).toBe("## ❌ privatelink plan FAILED for 1 of 2 stacks (spoke-app-osaka): the changes below leave them out");
    expect(md.join("\n")).toMatch(/### Failed stacks\n\n\*\*spoke-app-osaka\*\*\n\n```\nError: no matching EC2 VPC found/);
    expect(c.out()).toMatch(/spoke-app-osaka: FAILED in/);
  }, 10 * 60_000);
});
