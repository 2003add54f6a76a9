/**
 * Plans before applies, on moto: a spoke and a consumer plan while their hub and service stacks have
 * no state (or a state without a new output), showing what they would create; their applies then stop
 * with the message, before the handshake or any endpoint runs with a placeholder.
 */
import * as fs from "fs";
import * as path from "path";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { runTerraformAsync, terraformEnv, TerraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, synth, tempDir } from "../helpers";

const DUMMY = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

async function planJson(env: TerraformEnv, dir: string): Promise<any> {
  const plan = await runTerraformAsync(env, dir, ["plan", "-input=false", "-no-color", "-out=pr.tfplan"], DUMMY);
  if (plan.status !== 0) throw new Error(`plan failed in ${dir}:\n${plan.stderr}`);
  const show = await runTerraformAsync(env, dir, ["show", "-json", "pr.tfplan"], DUMMY);
  return JSON.parse(show.stdout);
}

describe("plans before the upstream stack is applied (moto)", () => {
  let emulator: Emulator;
  let env: TerraformEnv;
  let outdir: string;
  let stateDir: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    const doc = await emulator.prepare(readTopologyDoc(EXAMPLE));
    const work = tempDir("upstream");
    stateDir = path.join(work, "state");
    doc.backend = { kind: "local", directory: "state" }; // relative to the synth directory (work)
    outdir = synth(doc, { hcl: false, outdir: path.join(work, "cdktf.out") }).outdir;
    env = terraformEnv(path.join(work, "tf"));
    await Promise.all(["spoke-app-tokyo", "consumer-orders-api-virginia"].map((s) => runTerraformAsync(env, path.join(outdir, "stacks", s), ["init", "-input=false", "-no-color"], DUMMY)));
  }, 300_000);
  afterAll(() => emulator?.stop());

  const stack = (name: string) => path.join(outdir, "stacks", name);

  it("a spoke plans its six pairs with placeholders while the hub has no state, and its apply stops before any handshake", async () => {
    const plan = await planJson(env, stack("spoke-app-tokyo"));
    const pairs = plan.resource_changes.filter((c: any) => c.type === "terraform_data");
    expect(pairs.map((c: any) => c.change.actions.join("+"))).toEqual(Array(6).fill("create"));
    expect(pairs.map((c: any) => c.change.after.input.zone_id).sort()[0]).toBe("(pending: not in hub-tokyo's state yet: ec2messages.ap-northeast-1.amazonaws.com)");

    const before = emulator.proxy.handled.length;
    const apply = await runTerraformAsync(env, stack("spoke-app-tokyo"), ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY);
    expect(apply.status).toBe(1);
    expect(apply.stderr.replace(/\s+/g, " ")).toContain("hub-tokyo has no zone ec2messages.ap-northeast-1.amazonaws.com in its state yet: apply hub-tokyo first");
    // Nothing reached Route 53's association calls; nothing is in the spoke's state.
    expect(emulator.proxy.handled.slice(before).map((h) => h.operation)).toEqual([]);
    const state = path.join(stateDir, fs.readdirSync(stateDir).find((f) => f.includes("spoke-app-tokyo"))!);
    expect(JSON.parse(fs.readFileSync(state, "utf8")).resources.filter((r: any) => r.mode === "managed").flatMap((r: any) => r.instances)).toEqual([]);
  }, 300_000);

  it("a hub state file that exists but holds no state yet (Terraform creates it while the hub plans or applies in parallel) is no outputs, not an error", async () => {
    const hubState = path.join(stateDir, fs.readdirSync(stateDir).find((f) => f.includes("spoke-app-tokyo"))!.replace("spoke-app-tokyo", "hub-tokyo"));
    try {
      for (const content of ["", '{"version": 4, "terraform_version": "1.11.4", "ser']) {
        fs.writeFileSync(hubState, content);
        const plan = await planJson(env, stack("spoke-app-tokyo"));
        const ids = plan.resource_changes.filter((c: any) => c.type === "terraform_data").map((c: any) => c.change.after.input.zone_id);
        expect(ids).toHaveLength(6);
        expect(ids.every((id: string) => id.startsWith("(pending: not in hub-tokyo's state yet: "))).toBe(true);
      }
    } finally {
      fs.rmSync(hubState, { force: true });
    }
  }, 300_000);

  it("once the hub has state without a new zone, the spoke plans real ids for the others and a placeholder for the new one", async () => {
    const zoneIds: Record<string, string> = {};
    const names = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm"].map((s) => `${s}.ap-northeast-1.amazonaws.com`);
    names.forEach((name, i) => (zoneIds[name] = `Z0000000000000000000${i}`));
    // The hub's state as an earlier apply left it: outputs only (what terraform_remote_state reads).
    const hubState = path.join(stateDir, fs.readdirSync(stateDir).find((f) => f.includes("spoke-app-tokyo"))!.replace("spoke-app-tokyo", "hub-tokyo"));
    fs.writeFileSync(hubState, JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "test", outputs: { zone_ids: { value: zoneIds, type: ["map", "string"] } }, resources: [] }));
    try {
      const plan = await planJson(env, stack("spoke-app-tokyo"));
      const ids = Object.fromEntries(plan.resource_changes.filter((c: any) => c.type === "terraform_data").map((c: any) => [c.change.after.input.zone_name, c.change.after.input.zone_id]));
      expect(ids).toEqual({ ...zoneIds, "ssmmessages.ap-northeast-1.amazonaws.com": "(pending: not in hub-tokyo's state yet: ssmmessages.ap-northeast-1.amazonaws.com)" });
    } finally {
      fs.rmSync(hubState);
    }
  }, 300_000);

  it("a cross-region consumer plans its endpoint before the service exists, and its apply creates nothing", async () => {
    const plan = await planJson(env, stack("consumer-orders-api-virginia"));
    const endpoint = plan.resource_changes.find((c: any) => c.type === "aws_vpc_endpoint");
    expect(endpoint.change.actions).toEqual(["create"]);
    expect(endpoint.change.after.service_name).toBe("(pending: not in service-orders-api's state yet: service_name)");
    expect(endpoint.change.after.service_region).toBe("ap-northeast-1");
    const apply = await runTerraformAsync(env, stack("consumer-orders-api-virginia"), ["apply", "-auto-approve", "-input=false", "-no-color"], DUMMY);
    expect(apply.status).toBe(1);
    expect(apply.stderr.replace(/\s+/g, " ")).toContain("service-orders-api has no service_name in its state yet: apply service-orders-api first");
    expect(apply.stdout).not.toMatch(/aws_vpc_endpoint\.\S+: Creating/);
  }, 300_000);
});
