/**
 * `npm run emulator -- --env-file FILE`, run as the docs write it: Node 20 would take `--env-file` as its
 * own option; the script must get it, write the file, serve the topology's VPCs, and stop on SIGTERM.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { accountCredentials } from "../../tools/emulator-fixtures";
import { ROOT, tempDir } from "../helpers";

it("npm run emulator -- --env-file FILE writes TOPOLOGY and TARGET_ENDPOINT, serves the topology's VPCs, and stops everything on SIGTERM", async () => {
  const envFile = path.join(tempDir("emulator"), "emulator.env");
  const child = spawn("npm", ["run", "--silent", "emulator", "--", "--env-file", envFile], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    const deadline = Date.now() + 90_000;
    while (!/emulator: wrote/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(output).toContain("emulator: wrote");
    const values = Object.fromEntries(fs.readFileSync(envFile, "utf8").trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(Object.keys(values)).toEqual(expect.arrayContaining(["TOPOLOGY", "TARGET_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]));
    const topology = JSON.parse(fs.readFileSync(values.TOPOLOGY, "utf8"));
    expect(topology.target).toEqual({ kind: "local", endpoint: values.TARGET_ENDPOINT });
    // The hub VPC of the written topology exists in the emulator, in its account and region.
    const hub = topology.vpcs["hub-tokyo"];
    const ec2 = new EC2Client({ region: hub.region, endpoint: values.TARGET_ENDPOINT, credentials: await accountCredentials(values.TARGET_ENDPOINT, topology.accounts[hub.account].deployRoleArn) });
    const found = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [hub.vpcId] }))).Vpcs!;
    expect(found.map((v) => v.CidrBlock)).toEqual([hub.cidr]);

    // What a terminal's Ctrl-C or a CI cancel does: the signal to the whole process group.
    process.kill(-child.pid!, "SIGTERM");
    await exited;
    const motoUrl = /moto on (\S+),/.exec(output)![1];
    const down = async (url: string) => {
      for (let i = 0; i < 40; i++) {
        try {
          await fetch(url);
        } catch {
          return true;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    };
    expect([await down(values.TARGET_ENDPOINT), await down(motoUrl)]).toEqual([true, true]);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
  }
}, 150_000);

it("npm run emulator -- --help exits 0 with its own flags; an unknown flag exits 2 naming the valid ones (no emulator started)", () => {
  const run = (...args: string[]) => spawnSync("npm", ["run", "--silent", "emulator", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  const help = run("--help");
  expect(help.status).toBe(0);
  expect(help.stdout).toContain("--env-file FILE");
  expect(help.stdout).toContain("--topology FILE");
  const bogus = run("--bogus");
  expect(bogus.status).toBe(2);
  expect(bogus.stderr).toContain("unknown option --bogus; npm run emulator -- takes --env-file, --topology");
  const missing = run("--env-file");
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("--env-file needs a value (FILE)");
}, 120_000);
