/**
 * The real cdktf CLI 0.21 on the emulator, as the operations docs tell users to run it: `privatelink lock`
 * once, then `cdktf deploy '*'` and `cdktf destroy '*'` with no `--skip-provider-lock`, offline (the
 * provider comes from the filesystem mirror through TF_CLI_CONFIG_FILE; the lock file synth gives every
 * stack means cdktf never asks the registry).
 *
 * cdktf-cli is not a dependency of the package: it is installed for this test into
 * node_modules/.cache/cdktf-cli-0.21.0 from the npm registry (about 30 s and 420 MB, once per checkout).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Route53Client } from "@aws-sdk/client-route-53";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { zonesOfVpc } from "../../tools/e2e";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, ROOT, tempDir } from "../helpers";

const CDKTF_VERSION = "0.21.0";
const CACHE = path.join(ROOT, "node_modules", ".cache", `cdktf-cli-${CDKTF_VERSION}`);
const CDKTF = path.join(CACHE, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");

function installCdktf(): void {
  if (fs.existsSync(CDKTF)) return;
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, "package.json"), JSON.stringify({ name: "cdktf-cli-cache", private: true }));
  const npm = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock", `cdktf-cli@${CDKTF_VERSION}`], { cwd: CACHE, encoding: "utf8", timeout: 10 * 60_000 });
  if (npm.status !== 0 || !fs.existsSync(CDKTF)) {
    throw new Error(`could not install cdktf-cli@${CDKTF_VERSION} into ${CACHE} (the npm registry is needed once):\n${npm.stdout}\n${npm.stderr}`);
  }
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("close", (code) => resolve({ code, output }));
  });
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, "g")) ?? []).length;
const sumOf = (text: string, pattern: RegExp) => [...text.matchAll(new RegExp(pattern.source, "g"))].reduce((n, m) => n + Number(m[1]), 0);

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

it("cdktf deploy '*' and cdktf destroy '*' (cdktf-cli 0.21, no --skip-provider-lock) deploy and remove the example on the emulator", async () => {
  installCdktf();
  const project = tempDir("cdktf-cli");
  emulator = await startEmulator();
  const doc = await emulator.prepare(readTopologyDoc(EXAMPLE));
  doc.backend = { kind: "local", directory: "state" }; // relative to the project, where cdktf runs the synth
  const topology = path.join(project, "topology.json");
  fs.writeFileSync(topology, JSON.stringify(doc, null, 2));
  // A user's project: cdktf.json whose app is our synth (what `npm run synth` runs, without the build).
  fs.writeFileSync(path.join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: `node ${JSON.stringify(path.join(ROOT, "dist", "main.js"))}`, output: "cdktf.out", projectId: "cdktf-cli-test", sendCrashReports: "false" }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TOPOLOGY: topology,
    TARGET_ENDPOINT: emulator.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    TF_CLI_CONFIG_FILE: terraformEnv(path.join(project, ".tf-offline")).cliConfig,
    CHECKPOINT_DISABLE: "1",
    CI: "1",
  };

  const lock = await run(process.execPath, [path.join(ROOT, "dist", "assets", "privatelink.cjs"), "lock"], project, env);
  expect({ code: lock.code, output: lock.code === 0 ? "" : lock.output }).toEqual({ code: 0, output: "" });
  expect(fs.readFileSync(path.join(project, ".terraform.lock.hcl"), "utf8")).toMatch(/provider "registry.terraform.io\/hashicorp\/aws"/);

  const deploy = await run(process.execPath, [CDKTF, "deploy", "*", "--auto-approve"], project, env);
  fs.writeFileSync(path.join(project, "deploy.log"), deploy.output);
  expect({ code: deploy.code, tail: deploy.code === 0 ? "" : deploy.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(deploy.output).not.toMatch(/Could not retrieve providers for locking/);
  expect(count(deploy.output, /Apply complete!/)).toBe(6);
  // The real handshake ran for every (zone, spoke) pair: 6 zones × 2 spokes.
  expect(count(deploy.output, /step=associate outcome=ok/)).toBe(12);
  const hubAccount = doc.accounts[doc.vpcs[doc.hubs.tokyo.vpc].account].id;
  const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: await emulator.credentials(hubAccount) });
  for (const spoke of ["app-tokyo", "app-osaka"]) expect(await zonesOfVpc(route53, doc.vpcs[spoke].vpcId)).toHaveLength(6);
  expect(emulator.proxy.authorizationsLeft()).toEqual([]);
  const added = sumOf(deploy.output, /Apply complete! Resources: (\d+) added/);

  const destroy = await run(process.execPath, [CDKTF, "destroy", "*", "--auto-approve"], project, env);
  fs.writeFileSync(path.join(project, "destroy.log"), destroy.output);
  expect({ code: destroy.code, tail: destroy.code === 0 ? "" : destroy.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(count(destroy.output, /step=disassociate outcome=ok/)).toBe(12);
  expect(sumOf(destroy.output, /Destroy complete! Resources: (\d+) destroyed/)).toBe(added);
  for (const spoke of ["app-tokyo", "app-osaka"]) expect(await zonesOfVpc(route53, doc.vpcs[spoke].vpcId)).toEqual([]);
}, 25 * 60_000);
