/**
 * `sharing: profile` applied for real, with `privatelink deploy/plan/destroy`, on moto behind the gap
 * proxy (whose Route 53 Profiles and RAM come from tools/profiles-ram-emulator.ts, as moto lacks them):
 * the Tokyo spoke accepts the hub's RAM share and associates the Profile, the Osaka spoke keeps the
 * handshake; on day two a spoke in a new account joins and the first leaves; a switch from zones to the
 * Profile and back, on the S3 backend, never leaves the Tokyo VPC without a zone; destroy leaves nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { ListHostedZonesCommand, Route53Client } from "@aws-sdk/client-route-53";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { main as privatelink } from "../../cli/privatelink";
import { zonesOfVpc } from "../../tools/e2e";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { terraformEnv } from "../../tools/terraform-env";
import { EXAMPLE, tempDir } from "../helpers";

const ZONES = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((s) => `${s}.ap-northeast-1.amazonaws.com`);

let emulator: Emulator;
let work: string;
let doc: Record<string, any>;
let env: NodeJS.ProcessEnv;
let route53: Route53Client;

beforeAll(async () => {
  work = tempDir("profile-moto");
  emulator = await startEmulator();
  const source = readTopologyDoc(EXAMPLE);
  // Day two's new spoke: a VPC of another account in the hub's region (created now, joined later).
  source.accounts["workload-tokyo-2"] = { id: "555566667777", deployRoleArn: "arn:aws:iam::555566667777:role/privatelink-deployer" };
  source.vpcs["app2-tokyo"] = {
    account: "workload-tokyo-2",
    region: "ap-northeast-1",
    vpcId: "vpc-0a1b2c3d4e5f60077",
    cidr: "10.77.0.0/16",
    subnets: [
      { id: "subnet-0a1b2c3d4e5f60771", az: "ap-northeast-1a", cidr: "10.77.1.0/24" },
      { id: "subnet-0a1b2c3d4e5f60772", az: "ap-northeast-1c", cidr: "10.77.2.0/24" },
    ],
  };
  doc = await emulator.prepare(source);
  doc.backend = { kind: "local", directory: path.relative(process.cwd(), path.join(work, "state")) };
  env = {
    ...process.env,
    TOPOLOGY: path.join(work, "topology.json"),
    TARGET_ENDPOINT: emulator.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    TF_CLI_CONFIG_FILE: terraformEnv(path.join(work, "tf")).cliConfig,
    CDKTF_OUTDIR: path.join(work, "cdktf.out"),
  };
  const hubAccount = doc.accounts[doc.vpcs[doc.hubs.tokyo.vpc].account].id;
  route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: await emulator.credentials(hubAccount) });
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
});

interface Variant {
  readonly sharing: "zones" | "profile";
  /** Day two: app2-tokyo joins, app-tokyo leaves. */
  readonly dayTwo?: boolean;
  /** The S3 backend (a bucket in moto) instead of local state files, in its own output directory. */
  readonly s3?: boolean;
}

async function run(args: string[], variant: Variant): Promise<string> {
  const topology = JSON.parse(JSON.stringify(doc));
  topology.hubs.tokyo.sharing = variant.sharing;
  if (variant.dayTwo) {
    delete topology.spokes["app-tokyo"];
    topology.spokes["app2-tokyo"] = { vpc: "app2-tokyo" };
  }
  const runEnv = { ...env };
  if (variant.s3) {
    topology.backend = { kind: "s3", bucket: "profile-switch-state", region: "ap-northeast-1", keyPrefix: "switch" };
    runEnv.CDKTF_OUTDIR = path.join(work, "cdktf.out.s3");
    runEnv.TOPOLOGY = path.join(work, "topology-s3.json"); // its own estate record, topology-s3.estate.json
  }
  fs.writeFileSync(runEnv.TOPOLOGY!, JSON.stringify(topology, null, 2));
  let text = "";
  const code = await privatelink(args, runEnv, { out: (t) => (text += t), err: (t) => (text += t) });
  const logs = path.join(runEnv.CDKTF_OUTDIR!, "logs", args[0]);
  const failedLogs = code === 0 || !fs.existsSync(logs) ? "" : fs.readdirSync(logs).map((f) => `${f}:\n${fs.readFileSync(path.join(logs, f), "utf8").slice(-3000)}`).join("\n");
  expect({ code, tail: code === 0 ? "" : `${text.slice(-2000)}\n${failedLogs}` }).toEqual({ code: 0, tail: "" });
  return text;
}

/** Zones a VPC resolves: associated directly, or through the Profile it is associated with. */
async function resolvedZones(vpcId: string): Promise<string[]> {
  const direct = await zonesOfVpc(route53, vpcId);
  const profiles = emulator.proxy.profiles;
  const association = [...profiles.vpcAssociations.values()].find((a) => a.ResourceId === vpcId);
  const viaProfile: string[] = [];
  if (association) {
    const names = new Map(((await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []).map((z) => [z.Id!.replace("/hostedzone/", ""), z.Name!.replace(/\.$/, "")]));
    for (const r of profiles.resourceAssociations.values()) {
      const name = names.get(r.ResourceArn.split("/").pop()!);
      if (r.ProfileId === association.ProfileId && name) viaProfile.push(name);
    }
  }
  return [...new Set([...direct, ...viaProfile])].sort();
}

/** Runs `work` while sampling what the VPC resolves; returns the samples that missed a zone. */
async function watchResolution(vpcId: string, work: () => Promise<unknown>): Promise<{ samples: number; gaps: string[][] }> {
  let done = false;
  let samples = 0;
  const gaps: string[][] = [];
  const sampler = (async () => {
    while (!done) {
      const zones = await resolvedZones(vpcId).catch(() => undefined);
      if (zones) {
        samples++;
        if (zones.length < ZONES.length) gaps.push(zones);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    await work();
  } finally {
    done = true;
    await sampler;
  }
  return { samples, gaps };
}

const STACKS = "hub-tokyo,spoke-app-tokyo,spoke-app-osaka";

it("profile mode deploys: Tokyo through the Profile (share accepted), Osaka through the handshake; plans clean; destroys to nothing", async () => {
  await run(["deploy", "--auto-approve", "--stacks", STACKS], { sharing: "profile" });
  const profiles = emulator.proxy.profiles;
  const tokyo = doc.vpcs["app-tokyo"].vpcId;
  const osaka = doc.vpcs["app-osaka"].vpcId;
  expect([...profiles.profiles.values()].map((p) => [p.Name, p.region])).toEqual([["tokyo-hub", "ap-northeast-1"]]);
  expect(profiles.resourceAssociations.size).toBe(6);
  expect([...profiles.vpcAssociations.values()].map((a) => a.ResourceId)).toEqual([tokyo]);
  expect([...profiles.invitations.values()].map((i) => [i.receiver, i.status])).toEqual([[doc.accounts["workload-tokyo"].id, "ACCEPTED"]]);
  expect(await zonesOfVpc(route53, tokyo)).toEqual([]); // no direct association: the Profile serves it
  expect(await resolvedZones(tokyo)).toEqual([...ZONES].sort());
  expect(await zonesOfVpc(route53, osaka)).toEqual([...ZONES].sort());
  expect(emulator.proxy.authorizationsLeft()).toEqual([]);

  const plan = await run(["plan", "--stacks", STACKS, "--summary-json", path.join(work, "plan.json")], { sharing: "profile" });
  expect(JSON.parse(fs.readFileSync(path.join(work, "plan.json"), "utf8")).totals).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(JSON.parse(fs.readFileSync(path.join(work, "plan.json"), "utf8")).unchanged.sort()).toEqual(STACKS.split(",").sort());
  expect(plan).toContain("## privatelink plan: 0 to create, 0 to update, 0 to replace, 0 to delete");

  // Day two: a spoke of a new account joins (the share gains its account, which accepts and associates);
  // the first Tokyo spoke leaves (its retired stack disassociates the VPC and leaves the share first).
  const app2 = doc.vpcs["app2-tokyo"].vpcId;
  const DAY_TWO = "hub-tokyo,spoke-app-tokyo,spoke-app2-tokyo,spoke-app-osaka";
  await run(["deploy", "--auto-approve", "--stacks", DAY_TWO], { sharing: "profile", dayTwo: true });
  expect([...profiles.vpcAssociations.values()].map((a) => a.ResourceId)).toEqual([app2]);
  expect(await resolvedZones(app2)).toEqual([...ZONES].sort());
  expect(await resolvedZones(tokyo)).toEqual([]);
  expect([...profiles.shares.values()].map((share) => [...share.principals])).toEqual([["555566667777"]]);
  expect([...profiles.invitations.values()].filter((i) => i.status === "ACCEPTED").map((i) => i.receiver)).toEqual(["555566667777"]);
  expect(await zonesOfVpc(route53, osaka)).toEqual([...ZONES].sort());
  const record = JSON.parse(fs.readFileSync(path.join(work, "topology.estate.json"), "utf8"));
  expect(Object.keys(record.stacks)).not.toContain("spoke-app-tokyo"); // its state is empty: pruned
  expect(record.stacks["spoke-app2-tokyo"].spoke).toMatchObject({ association: "profile", pairs: [] });
  const planTwo = await run(["plan", "--stacks", "hub-tokyo,spoke-app2-tokyo,spoke-app-osaka", "--summary-json", path.join(work, "plan2.json")], { sharing: "profile", dayTwo: true });
  expect(JSON.parse(fs.readFileSync(path.join(work, "plan2.json"), "utf8")).totals).toEqual({ create: 0, update: 0, delete: 0, replace: 0 });
  expect(planTwo).toContain("0 to delete");

  await run(["destroy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app2-tokyo,spoke-app-osaka"], { sharing: "profile", dayTwo: true });
  expect([profiles.profiles.size, profiles.resourceAssociations.size, profiles.vpcAssociations.size, profiles.shares.size, profiles.invitations.size]).toEqual([0, 0, 0, 0, 0]);
  expect(await zonesOfVpc(route53, osaka)).toEqual([]);
}, 1_800_000);

it("switching the hub from zones to the Profile and back, on the S3 backend: the Tokyo VPC resolves every zone throughout", async () => {
  // Under S3, synth cannot read the states: the old pairs wait until `privatelink deploy` has seen the
  // Profile association with `terraform state list`.
  const s3 = new S3Client({ region: "ap-northeast-1", endpoint: emulator.url, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await s3.send(new CreateBucketCommand({ Bucket: "profile-switch-state", CreateBucketConfiguration: { LocationConstraint: "ap-northeast-1" } }));
  const zones = { sharing: "zones", s3: true } as const;
  const profile = { sharing: "profile", s3: true } as const;
  const tokyo = doc.vpcs["app-tokyo"].vpcId;
  await run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones);
  expect(await zonesOfVpc(route53, tokyo)).toEqual([...ZONES].sort());

  const toProfile = await watchResolution(tokyo, () => run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], profile));
  expect(toProfile.samples).toBeGreaterThan(10);
  expect(toProfile.gaps).toEqual([]);
  expect(await zonesOfVpc(route53, tokyo)).toEqual([]); // the old pairs were disassociated after the Profile came
  expect(await resolvedZones(tokyo)).toEqual([...ZONES].sort());
  expect(emulator.proxy.authorizationsLeft()).toEqual([]);

  const toZones = await watchResolution(tokyo, () => run(["deploy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones));
  expect(toZones.gaps).toEqual([]);
  expect(await zonesOfVpc(route53, tokyo)).toEqual([...ZONES].sort());
  expect(emulator.proxy.profiles.vpcAssociations.size).toBe(0);

  await run(["destroy", "--auto-approve", "--stacks", "hub-tokyo,spoke-app-tokyo"], zones);
  expect(emulator.proxy.profiles.profiles.size).toBe(0);
}, 1_200_000);
