/**
 * The framework CLIs on the emulator, offline, as the docs tell users to run them, and the move from CDKTF to
 * CDK Terrain as a team makes it (one estate for both, to keep CI short):
 *
 * 1. `privatelink lock` once, then `cdktf deploy` of the hub and both spokes with the cdktf flavour and
 *    cdktf-cli 0.21 (Node 20), without `--skip-provider-lock`: the lock file synth gives every stack means the
 *    CLI never asks the registry; the 12 handshakes run;
 * 2. the project moves to the CDK Terrain flavour (its cdktf.json app is now dist-cdktn/main.js) and
 *    `cdktn synth` runs on Node 22: `terraform plan` of the three deployed stacks shows no change (same
 *    logical ids, same state, same provider lock);
 * 3. `cdktn deploy '*'` (cdktn-cli 0.24, Node 22) applies every stack: the service and its two consumers are
 *    created, the three migrated stacks change nothing;
 * 4. `cdktn destroy '*'` removes everything, the handshake's disassociations included.
 *
 * cdktf-cli, cdktn-cli and Node 22 are installed by the test from tools/toolchains/ (lock files committed).
 */
import * as fs from "fs";
import * as path from "path";
import { DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { Emulator, startEmulator } from "../../tools/emulator";
import { zonesOfVpc } from "../../tools/e2e";
import { runTerraformAsync, terraformEnv } from "../../tools/terraform-env";
import { pathWithNode, toolchain } from "../../tools/toolchain";
import { ROOT, tempDir } from "../helpers";
import { count, emulatorProject, run, sumOf, useFlavour } from "../cli/framework-cli";

const MIGRATED = ["hub-tokyo", "spoke-app-tokyo", "spoke-app-osaka"];

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

it("cdktf deploy (cdktf-cli 0.21, no --skip-provider-lock) builds the hub and spokes; the estate moves to CDK Terrain with no change; cdktn deploy '*' and cdktn destroy '*' (cdktn-cli 0.24, Node 22) complete and remove it", async () => {
  const cdktn = path.join(toolchain("cdktn-cli"), "node_modules", "cdktn-cli", "bundle", "bin", "cdktn");
  const node22Path = pathWithNode("node22");
  const project = tempDir("cdktn-cli");
  emulator = await startEmulator();
  const { doc, env } = await emulatorProject(emulator, project);
  const privatelink = path.join(ROOT, "dist", "assets", "privatelink.cjs");
  const log = (name: string, text: string) => fs.writeFileSync(path.join(project, `${name}.log`), text);

  // 1. CDKTF: the hub and the spokes, with the cdktf CLI.
  const cdktf = path.join(toolchain("cdktf-cli"), "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
  useFlavour(project, "dist");
  const lock = await run(process.execPath, [privatelink, "lock"], project, env);
  expect({ code: lock.code, output: lock.code === 0 ? "" : lock.output }).toEqual({ code: 0, output: "" });
  expect(fs.readFileSync(path.join(project, ".terraform.lock.hcl"), "utf8")).toMatch(/provider "registry.terraform.io\/hashicorp\/aws"/);
  const first = await run(process.execPath, [cdktf, "deploy", ...MIGRATED, "--auto-approve"], project, env);
  log("cdktf-deploy", first.output);
  expect({ code: first.code, tail: first.code === 0 ? "" : first.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(first.output).not.toMatch(/Could not retrieve providers for locking/);
  expect(count(first.output, /Apply complete!/)).toBe(3);
  // The real handshake ran for every (zone, spoke) pair: 6 zones x 2 spokes.
  expect(count(first.output, /step=associate outcome=ok/)).toBe(12);
  const stateOf = (stack: string) => JSON.parse(fs.readFileSync(path.join(project, "state", `terraform.${doc.name}.${stack}.tfstate`), "utf8"));
  const resourcesOf = (stack: string) => stateOf(stack).resources.filter((r: any) => r.mode === "managed").reduce((n: number, r: any) => n + r.instances.length, 0);
  const migratedResources = MIGRATED.reduce((n, stack) => n + resourcesOf(stack), 0);
  expect(migratedResources).toBeGreaterThan(0);

  // 2. CDK Terrain: the same stacks plan no change.
  const cdktnEnv = { ...env, PATH: node22Path };
  useFlavour(project, "dist-cdktn");
  const synth = await run("node", [cdktn, "synth"], project, cdktnEnv);
  log("cdktn-synth", synth.output);
  expect({ code: synth.code, tail: synth.code === 0 ? "" : synth.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  const hubConfig = JSON.parse(fs.readFileSync(path.join(project, "cdktf.out", "stacks", "hub-tokyo", "cdk.tf.json"), "utf8"));
  expect(hubConfig["//"].metadata.version).toBe("0.24.0");
  const tf = terraformEnv(path.join(project, ".tf-offline"));
  const plans = await Promise.all(
    MIGRATED.map((stack) => runTerraformAsync(tf, path.join(project, "cdktf.out", "stacks", stack), ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"], { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" })),
  );
  // -detailed-exitcode: 0 is "no changes" (2 would be changes, 1 an error).
  expect(plans.map((p, i) => `${MIGRATED[i]}: ${p.status}${p.status === 0 ? "" : `\n${p.stdout.slice(-2000)}${p.stderr}`}`)).toEqual(MIGRATED.map((s) => `${s}: 0`));
  expect(plans.every((p) => p.stdout.includes("No changes."))).toBe(true);

  // 3. cdktn deploy '*': what is missing is created, the migrated stacks stay as they are.
  const deploy = await run("node", [cdktn, "deploy", "*", "--auto-approve"], project, cdktnEnv);
  log("cdktn-deploy", deploy.output);
  expect({ code: deploy.code, tail: deploy.code === 0 ? "" : deploy.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(count(deploy.output, /Apply complete!/)).toBe(6);
  // The migrated stacks: "No changes." (cdktn prefixes each line of a stack's output with its name).
  const plain = deploy.output.replace(/\x1b\[[0-9;]*m/g, "");
  const unchanged = (stack: string) => plain.split("\n").some((line) => line.startsWith(`${stack} `) && line.includes("No changes. Your infrastructure matches the configuration."));
  expect(MIGRATED.filter((stack) => !unchanged(stack))).toEqual([]);
  expect(["service-orders-api", "consumer-orders-api-tokyo", "consumer-orders-api-virginia"].filter(unchanged)).toEqual([]);
  const ownerAccount = doc.accounts[doc.vpcs[doc.privateLink["orders-api"].consumers.tokyo.vpc].account].id;
  const consumerVpc = doc.vpcs[doc.privateLink["orders-api"].consumers.tokyo.vpc];
  const ec2 = new EC2Client({ region: consumerVpc.region, endpoint: emulator.url, credentials: await emulator.credentials(ownerAccount) });
  const endpoints = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [consumerVpc.vpcId] }] }))).VpcEndpoints!;
  expect(endpoints.map((e) => [e.VpcEndpointType, e.State])).toEqual([["Interface", "available"]]);
  // What the six states hold now: what the destroy must take down.
  const stacks = fs.readdirSync(path.join(project, "cdktf.out", "stacks"));
  expect(stacks).toHaveLength(6);
  const held = stacks.reduce((n, stack) => n + resourcesOf(stack), 0);
  expect(held).toBe(migratedResources + sumOf(deploy.output, /Apply complete! Resources: (\d+) added/));

  // 4. cdktn destroy '*': everything, the disassociations of the handshake included.
  const destroy = await run("node", [cdktn, "destroy", "*", "--auto-approve"], project, cdktnEnv);
  log("cdktn-destroy", destroy.output);
  expect({ code: destroy.code, tail: destroy.code === 0 ? "" : destroy.output.slice(-3000) }).toEqual({ code: 0, tail: "" });
  expect(count(destroy.output, /step=disassociate outcome=ok/)).toBe(12);
  expect(sumOf(destroy.output, /Destroy complete! Resources: (\d+) destroyed/)).toBe(held);
  const hubAccount = doc.accounts[doc.vpcs[doc.hubs.tokyo.vpc].account].id;
  const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: await emulator.credentials(hubAccount) });
  for (const spoke of ["app-tokyo", "app-osaka"]) expect(await zonesOfVpc(route53, doc.vpcs[spoke].vpcId)).toEqual([]);
  expect(emulator.proxy.authorizationsLeft()).toEqual([]);
}, 30 * 60_000);
