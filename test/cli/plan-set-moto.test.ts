/**
 * Apply exactly what was reviewed, on the emulator, as a pull request and its merge run in two CI jobs:
 *
 * 1. `privatelink plan --out DIR` in one process; a topology changed after planning is refused by
 *    `deploy --plan-set DIR` in another, before anything applies;
 * 2. `deploy --plan-set DIR` in a second process applies the reviewed plans (what the state holds is what
 *    the plan said it would create), stops before the stacks planned before their upstream had outputs, and
 *    prints the command that continues; that command completes the estate;
 * 3. a plan set whose stack changed since (another apply) is refused by terraform itself ("stale"), passed on;
 * 4. `plan --changed-since HEAD` on a day-two change (a consumer removed) plans exactly the retired consumer,
 *    the service it was attached to and what reads that service, and says the hub and spokes were left out.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CreateVPCAssociationAuthorizationCommand, ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { runIn } from "./run-command";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { runTerraformAsync, terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, ROOT, tempDir } from "../helpers";


/** The bundled command in a process of its own (another CI job). */
function second(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "dist", "assets", "privatelink.cjs"), ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-C", cwd, "-c", "user.email=ci@example.com", "-c", "user.name=ci", ...args], { encoding: "utf8" });

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

describe("plan sets and --changed-since (moto)", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let doc: Record<string, any>;
  const state = (stack: string) => path.join(work, `terraform.${doc.name}.${stack}.tfstate`);
  const inState = (stack: string): string[] =>
    fs.existsSync(state(stack)) ? JSON.parse(fs.readFileSync(state(stack), "utf8")).resources.filter((r: any) => r.mode === "managed").flatMap((r: any) => r.instances.map((i: any) => `${r.type}.${r.name}${i.index_key !== undefined ? `[${JSON.stringify(i.index_key)}]` : ""}`)).sort() : [];

  beforeAll(async () => {
    work = tempDir("plan-set");
    emulator = await startEmulator();
    doc = await emulator.prepare(readTopologyDoc(EXAMPLE));
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(doc, null, 2));
    fs.writeFileSync(path.join(work, ".gitignore"), "cdktf.out/\n*.tfstate*\n.tf-offline/\nplan*/\n*.md\n*.json.tmp\n");
    env = {
      ...process.env,
      TOPOLOGY: "topology.json",
      TARGET_ENDPOINT: emulator.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      TF_CLI_CONFIG_FILE: terraformEnv(path.join(work, ".tf-offline")).cliConfig,
      CDKTF_OUTDIR: "",
    };
    git(work, "init", "-q");
  }, 300_000);

  const run = (args: string[]) => runIn(work, args, env);

  it("a plan set is applied in another process exactly as reviewed, refused when the topology changed, continued with the command it prints", async () => {
    const planned = await run(["plan", "--out", "plan-1", "--parallel", "6"]);
    expect({ code: planned.code, err: planned.code === 0 ? "" : planned.out.slice(-2000) }).toEqual({ code: 0, err: "" });
    const manifest = JSON.parse(fs.readFileSync(path.join(work, "plan-1", "manifest.json"), "utf8"));
    expect(manifest.steps.map((s: any) => `${s.id}:${s.replanAfter.join("+")}`).sort()).toEqual([
      "consumer-orders-api-tokyo:service-orders-api",
      "consumer-orders-api-virginia:service-orders-api",
      "hub-tokyo:",
      "service-orders-api:",
      "spoke-app-osaka:hub-tokyo",
      "spoke-app-tokyo:hub-tokyo",
    ]);
    expect(manifest.order).toEqual([["hub-tokyo", "service-orders-api"], ["consumer-orders-api-tokyo", "consumer-orders-api-virginia", "spoke-app-osaka", "spoke-app-tokyo"]]);
    // What the reviewer saw the hub would create, from the saved plan.
    const reviewed = JSON.parse(execFileSync("terraform", ["show", "-json", path.join(work, "plan-1", "hub-tokyo.tfplan")], { cwd: path.join(work, "cdktf.out", "stacks", "hub-tokyo"), encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 }));
    const toCreate = reviewed.resource_changes.filter((c: any) => c.change.actions.includes("create")).map((c: any) => c.address).sort();

    // The topology changed after the review: refused before any apply.
    const original = fs.readFileSync(path.join(work, "topology.json"), "utf8");
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify({ ...doc, tags: { team: "network" } }, null, 2));
    const refused = await second(["deploy", "--plan-set", "plan-1", "--auto-approve"], work, env);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining("plan set plan-1: was planned from another topology")]);
    expect(fs.existsSync(path.join(work, "cdktf.out", "logs", "deploy"))).toBe(false);
    expect(inState("hub-tokyo")).toEqual([]);
    fs.writeFileSync(path.join(work, "topology.json"), original);

    // Another process applies it: the hub and the service; the rest waits for a plan made after them.
    const applied = await second(["deploy", "--plan-set", "plan-1", "--auto-approve"], work, env);
    expect(applied.code).toBe(1);
    expect(applied.stdout).toMatch(/hub-tokyo +ok +\+28 ~0 -0/);
    expect(applied.stdout).toMatch(/spoke-app-tokyo +pending +re-plan after hub-tokyo/);
    expect(inState("hub-tokyo")).toEqual(toCreate);
    expect(inState("spoke-app-tokyo")).toEqual([]);
    const next = /\n {2}(privatelink plan --stacks (\S+) --out (\S+) && privatelink deploy --plan-set (\S+) --auto-approve)\n/.exec(applied.stdout);
    expect(next?.[2]).toBe("consumer-orders-api-tokyo,consumer-orders-api-virginia,spoke-app-osaka,spoke-app-tokyo");

    // The command it printed, as the next job runs it.
    const replanned = await run(["plan", "--stacks", next![2], "--out", next![3]]);
    expect(replanned.code).toBe(0);
    const finished = await second(["deploy", "--plan-set", next![4], "--auto-approve"], work, env);
    expect({ code: finished.code, tail: finished.code === 0 ? "" : finished.stdout.slice(-3000) }).toEqual({ code: 0, tail: "" });
    expect(inState("spoke-app-osaka").filter((a) => a.startsWith("terraform_data.phz_"))).toHaveLength(6);
    expect(emulator!.proxy.authorizationsLeft()).toEqual([]);
  }, 30 * 60_000);

  it("a plan whose stack changed since is refused by terraform (stale), and the refusal is passed on with exit 1", async () => {
    // One more client network for the hub's endpoints: one ingress rule, nothing else changes.
    const changed = { ...doc, hubs: { tokyo: { ...doc.hubs.tokyo, allowedCidrs: ["172.31.0.0/16"] } } };
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(changed, null, 2));
    const planned = await run(["plan", "--stacks", "hub-tokyo", "--out", "plan-stale"]);
    expect(planned.code).toBe(0);
    // Someone applies the hub behind the plan's back.
    const tf = terraformEnv(path.join(work, ".tf-offline"));
    const direct = await runTerraformAsync(tf, path.join(work, "cdktf.out", "stacks", "hub-tokyo"), ["apply", "-auto-approve", "-input=false", "-no-color"], { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    expect(direct.status).toBe(0);
    const stale = await second(["deploy", "--plan-set", "plan-stale", "--auto-approve"], work, env);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/hub-tokyo: FAILED in .*\n\s+Error: Saved plan is stale/);
    // Back to the topology as it was (the hub keeps its extra rule: nothing below reads it).
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(doc, null, 2));
  }, 20 * 60_000);

  it("--changed-since HEAD plans exactly the stacks a day-two change touches, and says which it left out", async () => {
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "the estate as deployed");
    const dayTwo = JSON.parse(JSON.stringify(doc));
    delete dayTwo.privateLink["orders-api"].consumers.virginia;
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(dayTwo, null, 2));
    const planned = await run(["plan", "--changed-since", "HEAD", "--summary-json", "changed.json"]);
    expect(planned.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(work, "changed.json"), "utf8"));
    const byStatus = (status: string) => summary.stacks.filter((s: any) => s.status === status).map((s: any) => s.name).sort();
    expect(byStatus("skipped")).toEqual(["hub-tokyo", "spoke-app-osaka", "spoke-app-tokyo"]);
    expect(summary.stacks.filter((s: any) => s.status === "skipped").every((s: any) => s.reason === "unchanged since HEAD, and so is everything it reads")).toBe(true);
    expect([...byStatus("changes"), ...byStatus("no-changes")].sort()).toEqual(["consumer-orders-api-tokyo", "consumer-orders-api-virginia", "service-orders-api"]);
    expect(planned.out).toMatch(/--changed-since HEAD: 3 of 6 stacks to plan .*consumer-orders-api-virginia \(retired\).*service-orders-api \(changed\)/);
    expect(summary.stacks.find((s: any) => s.name === "consumer-orders-api-virginia")).toMatchObject({ status: "changes", destroy: 4, retired: true });
  }, 20 * 60_000);

  it("standing VPC association authorizations, from any cause, are reported by preflight and deleted by the next deploy", async () => {
    fs.writeFileSync(path.join(work, "topology.json"), JSON.stringify(doc, null, 2));
    const hubAccount = doc.accounts[doc.vpcs[doc.hubs.tokyo.vpc].account].id;
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator!.url, credentials: await emulator!.credentials(hubAccount) });
    const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones!;
    const ssm = zones.find((z) => z.Name === "ssm.ap-northeast-1.amazonaws.com.")!.Id!;
    // What a container stop leaves (the handshake and its guard killed together): one for a spoke already
    // associated, one for a VPC no spoke has.
    for (const vpc of [doc.vpcs["app-tokyo"], doc.vpcs["orders-client-tokyo"]]) {
      await route53.send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: ssm, VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region } }));
    }
    expect(emulator!.proxy.authorizationsLeft()).toHaveLength(2);
    const checked = await run(["preflight"]);
    expect(checked.out.match(/standing VPC association authorization ssm\.ap-northeast-1\.amazonaws\.com/g)).toHaveLength(2);
    expect(checked.out).toContain("the VPC is associated: the authorization is no longer needed");
    expect(checked.out).toContain("no spoke of the topology has this VPC");
    const deployed = await run(["deploy", "--auto-approve", "--stacks", "hub-tokyo"]);
    expect(deployed.code).toBe(0);
    expect(deployed.out.match(/hub tokyo: deleted a standing VPC association authorization/g)).toHaveLength(2);
    expect(emulator!.proxy.authorizationsLeft()).toEqual([]);
  }, 15 * 60_000);
});
