/**
 * `npm run bench:plan [-- --spokes 20 --parallel 4]`: what a pull request's `privatelink plan` costs on the
 * emulator, whole and with `--changed-since`. The benchmark estate of `spokes` spokes (tools/bench.ts) is
 * created in moto, committed in a scratch git repository, one spoke's VPC is replaced, and the estate is
 * planned twice: every stack, then `--changed-since HEAD`. Prints both wall times, the time per stack, and the
 * whole plan extrapolated to 1,000 spokes (1,105 stacks) at that rate (linear: stacks plan independently).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../cli/privatelink";
import { benchTopology } from "./bench";
import { startEmulator } from "./emulator";
import { createVpc } from "./emulator-fixtures";
import { terraformEnv } from "./terraform-env";

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const spokes = Number(option("--spokes", "20"));
  const parallel = option("--parallel", "4");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-bench-plan-"));
  const emulator = await startEmulator();
  try {
    const doc = await emulator.prepare(benchTopology(spokes));
    const topology = path.join(work, "topology.json");
    fs.writeFileSync(topology, JSON.stringify(doc, null, 2));
    fs.writeFileSync(path.join(work, ".gitignore"), "cdktf.out/\n*.tfstate\n.tf-offline/\n");
    const git = (...a: string[]) => execFileSync("git", ["-C", work, "-c", "user.email=bench@example.com", "-c", "user.name=bench", ...a], { encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "estate");
    const env = { ...process.env, TOPOLOGY: topology, TARGET_ENDPOINT: emulator.url, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", TF_CLI_CONFIG_FILE: terraformEnv(path.join(work, ".tf-offline")).cliConfig, CDKTF_OUTDIR: path.join(work, "cdktf.out") };
    const quiet = { out: () => undefined, err: () => undefined };
    const timed = async (argv: string[]) => {
      const started = Date.now();
      const code = await main(argv, env, quiet);
      return { code, seconds: (Date.now() - started) / 1000 };
    };
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const whole = await timed(["plan", "--parallel", parallel]);
      const stacks = fs.readdirSync(path.join(work, "cdktf.out", "stacks")).length;
      // Day two: spoke-7's VPC replaced by another (created in the emulator, so it plans).
      const vpc = doc.vpcs["spoke-7"];
      const created = await createVpc(emulator.url, await emulator.credentials(doc.accounts[vpc.account].id), vpc.region, vpc.cidr, vpc.subnets.map((s: any) => ({ az: s.az, cidr: s.cidr })));
      vpc.vpcId = created.vpcId;
      vpc.subnets.forEach((s: any, i: number) => (s.id = created.subnets[i].id));
      fs.writeFileSync(topology, JSON.stringify(doc, null, 2));
      const changed = await timed(["plan", "--parallel", parallel, "--changed-since", "HEAD"]);
      const perStack = whole.seconds / stacks;
      console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim()}, Node ${process.version}, --parallel ${parallel}`);
      console.log("| estate | stacks | plan, every stack | plan --changed-since (one spoke changed) |");
      console.log("|---|---:|---:|---:|");
      console.log(`| ${spokes} spokes (measured) | ${stacks} | ${whole.seconds.toFixed(0)} s (exit ${whole.code}) | ${changed.seconds.toFixed(0)} s (exit ${changed.code}) |`);
      console.log(`| 1,000 spokes (extrapolated at ${perStack.toFixed(1)} s per stack) | 1105 | ${((perStack * 1105) / 3600).toFixed(1)} h | about ${(changed.seconds + 6).toFixed(0)} s (plus the larger synth: npm run bench -- --changed-since) |`);
    } finally {
      process.chdir(cwd);
    }
  } finally {
    await emulator.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
