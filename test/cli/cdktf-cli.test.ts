/**
 * The real cdktf CLI 0.21 on the emulator, as the operations docs tell users to run it: `privatelink lock`
 * once, then `cdktf deploy '*'` and `cdktf destroy '*'` with no `--skip-provider-lock`, offline (the
 * provider comes from the filesystem mirror through TF_CLI_CONFIG_FILE; the lock file synth gives every
 * stack means cdktf never asks the registry).
 *
 * cdktf-cli is not a dependency of the package: the test installs it from tools/toolchains/cdktf-cli (its
 * lock file pinned) into node_modules/.cache (about 30 s and 420 MB, once per checkout).
 */
import * as fs from "fs";
import * as path from "path";
import { Route53Client } from "@aws-sdk/client-route-53";
import { Emulator, startEmulator } from "../../tools/emulator";
import { zonesOfVpc } from "../../tools/e2e";
import { toolchain } from "../../tools/toolchain";
import { ROOT, tempDir } from "../helpers";
import { count, emulatorProject, run, sumOf, useFlavour } from "./framework-cli";

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

it("cdktf deploy '*' and cdktf destroy '*' (cdktf-cli 0.21, no --skip-provider-lock) deploy and remove the example on the emulator", async () => {
  const CDKTF = path.join(toolchain("cdktf-cli"), "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
  const project = tempDir("cdktf-cli");
  emulator = await startEmulator();
  const { doc, env } = await emulatorProject(emulator, project);
  useFlavour(project, "dist");
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
