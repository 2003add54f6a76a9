/**
 * `privatelink preflight` against the emulator (moto behind the gap proxy): the example's network
 * created for real, then each thing preflight must find before an apply would.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateHostedZoneCommand, DeleteHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { formatPreflight, preflight, PreflightCheck } from "../../cli/preflight";
import { loadTopologyText } from "../../topology/load";
import { Emulator, readTopologyDoc, startEmulator } from "../../tools/emulator";
import { EXAMPLE, ROOT, tempDir } from "../helpers";

let emulator: Emulator;
let prepared: Record<string, any>;

beforeAll(async () => {
  emulator = await startEmulator();
  prepared = await emulator.prepare(readTopologyDoc(EXAMPLE));
}, 120_000);
afterAll(() => emulator?.stop());

const run = (doc: Record<string, any>) => preflight(loadTopologyText(JSON.stringify(doc), "preflight test").model);
const failures = (checks: PreflightCheck[]) => checks.filter((c) => c.status !== "ok").map((c) => `${c.status} ${c.area} ${c.subject}: ${c.detail}`);
const copy = () => JSON.parse(JSON.stringify(prepared));

describe("preflight", () => {
  it("passes every check on the example's real network, and makes no change", async () => {
    const before = emulator.proxy.handled.length;
    const checks = await run(prepared);
    expect(failures(checks)).toEqual([]);
    expect(checks.map((c) => c.area)).toEqual(expect.arrayContaining(["credentials", "roles", "vpcs", "quotas", "conflicts"]));
    expect(checks.filter((c) => c.area === "roles")).toHaveLength(4);
    expect(checks.filter((c) => c.area === "vpcs")).toHaveLength(6);
    expect(checks.filter((c) => c.area === "conflicts").map((c) => c.subject)).toEqual([expect.stringMatching(/^spoke app-tokyo/), expect.stringMatching(/^spoke app-osaka/)]);
    // Read-only: the only gap-proxy interventions are reads.
    expect(emulator.proxy.handled.slice(before).map((h) => h.operation).filter((o) => !["ListHostedZonesByVPC", "GetAccountLimit", "GetHostedZoneLimit"].includes(o))).toEqual([]);
  }, 60_000);

  it("finds a role it cannot assume, a VPC that does not exist, and a subnet in another zone than declared", async () => {
    const doc = copy();
    emulator.proxy.refusedRoles.add(doc.accounts["service-owner"].deployRoleArn);
    doc.vpcs["app-osaka"].vpcId = "vpc-0123456789abcdef0";
    doc.vpcs["app-tokyo"].subnets[1].az = "ap-northeast-1d";
    try {
      expect(failures(await run(doc))).toEqual([
        `fail roles account service-owner (444455556666): cannot assume ${doc.accounts["service-owner"].deployRoleArn}: AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: ${doc.accounts["service-owner"].deployRoleArn}`,
        expect.stringMatching(/^fail vpcs vpc app-tokyo \(vpc-[0-9a-f]+, workload-tokyo, ap-northeast-1\): subnet subnet-[0-9a-f]+ is in ap-northeast-1c, not ap-northeast-1d$/),
        expect.stringMatching(/^fail vpcs vpc app-osaka \(vpc-0123456789abcdef0, workload-osaka, ap-northeast-3\): not found in account 333344445555, ap-northeast-3 \(InvalidVpcID\.NotFound\)$/),
      ]);
    } finally {
      emulator.proxy.refusedRoles.clear();
    }
  }, 60_000);

  it("finds a spoke that already has a zone of a hub name, or its own endpoint with private DNS on", async () => {
    const doc = copy();
    const tokyo = doc.vpcs["app-tokyo"];
    const tokyoCredentials = await emulator.credentials(doc.accounts["workload-tokyo"].id);
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: tokyoCredentials });
    const zone = await route53.send(
      new CreateHostedZoneCommand({ Name: "ssm.ap-northeast-1.amazonaws.com", CallerReference: `own-${Date.now()}`, VPC: { VPCId: tokyo.vpcId, VPCRegion: "ap-northeast-1" } }),
    );
    const ec2 = new EC2Client({ region: "ap-northeast-1", endpoint: emulator.url, credentials: tokyoCredentials });
    const endpoint = await ec2.send(new CreateVpcEndpointCommand({ VpcId: tokyo.vpcId, ServiceName: "com.amazonaws.ap-northeast-1.ssmmessages", VpcEndpointType: "Interface", PrivateDnsEnabled: true, SubnetIds: [tokyo.subnets[0].id] }));
    try {
      expect(failures(await run(doc))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^fail conflicts spoke app-tokyo \\(${tokyo.vpcId}\\): zone ssm\\.ap-northeast-1\\.amazonaws\\.com \\(${zone.HostedZone!.Id!.replace("/hostedzone/", "")}, account 222233334444\\) is already associated; its endpoint ${endpoint.VpcEndpoint!.VpcEndpointId} \\(com\\.amazonaws\\.ap-northeast-1\\.ssmmessages\\) has private DNS on for ssmmessages\\.ap-northeast-1\\.amazonaws\\.com: Route 53 would refuse the association \\(ConflictingDomainExists\\); remove them or turn their private DNS off$`,
          ),
        ),
      ]);
    } finally {
      // The emulator is shared by the tests that follow: leave the network as prepared.
      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpoint!.VpcEndpointId!] }));
      await route53.send(new DeleteHostedZoneCommand({ Id: zone.HostedZone!.Id! }));
    }
  }, 60_000);

  it("reads live quotas: hosted zones per account, VPCs per existing zone, and a declared quota the account does not have", async () => {
    const doc = copy();
    const hub = doc.vpcs["hub-tokyo"];
    const hubCredentials = await emulator.credentials(doc.accounts["network-hub"].id);
    const hubRoute53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: hubCredentials });
    const zone = await hubRoute53.send(
      new CreateHostedZoneCommand({ Name: "ec2messages.ap-northeast-1.amazonaws.com", CallerReference: `hub-${Date.now()}`, VPC: { VPCId: hub.vpcId, VPCRegion: "ap-northeast-1" } }),
    );
    emulator.proxy.limits.vpcsPerHostedZone = 2;
    emulator.proxy.limits.hostedZonesPerAccount = 3;
    doc.quotas = { interfaceEndpointsPerVpc: 80 };
    try {
      expect(failures(await run(doc))).toEqual([
        "fail quotas hosted zones of account network-hub: 1 exist, hub tokyo creates 5: 6 of 3",
        "fail quotas VPCs per zone ec2messages.ap-northeast-1.amazonaws.com: 3 planned, limit 2",
        "fail quotas interface endpoints in hub-tokyo: 4 planned, limit 50; the topology declares 80 (Interface and Gateway Load Balancer endpoints per VPC), which this account does not have",
      ]);
    } finally {
      emulator.proxy.limits.vpcsPerHostedZone = 300;
      emulator.proxy.limits.hostedZonesPerAccount = 500;
      await hubRoute53.send(new DeleteHostedZoneCommand({ Id: zone.HostedZone!.Id! }));
    }
  }, 60_000);

  it("with sharing: profile, counts the hub account's Profiles against the quota, finds a spoke VPC on another Profile, and notes what overrides the Profile", async () => {
    const doc = copy();
    doc.hubs.tokyo.sharing = "profile";
    const vpc = doc.vpcs["app-tokyo"].vpcId;
    const hubAccount = doc.accounts["network-hub"].id;
    const tokyoAccount = doc.accounts["workload-tokyo"].id;
    // The emulator's Route 53 Profiles, called directly as those accounts (what another tool made before).
    const call = async (account: string, method: string, apiPath: string, body?: object) => {
      const answer = await emulator.proxy.profiles.answer({ service: "route53profiles", region: "ap-northeast-1", account, method, path: apiPath, query: new URLSearchParams(), body: body ? JSON.stringify(body) : "" });
      expect(answer.status).toBe(200);
      return JSON.parse(answer.body);
    };
    const clean = await run(doc);
    expect(failures(clean)).toEqual([]);
    expect(clean.filter((c) => c.subject.startsWith("Route 53 Profiles")).map((c) => `${c.subject}: ${c.detail}`)).toEqual([
      "Route 53 Profiles of account network-hub in ap-northeast-1: 0 exist, this topology creates 1 (hub tokyo): 1 of 5 (AWS's default)",
    ]);
    expect(clean.find((c) => c.subject.startsWith("spoke app-tokyo"))!.detail).toBe("no other Profile, no own zone of hub tokyo's 6 names");

    const made: Array<[string, string]> = [];
    for (let i = 0; i < 5; i++) made.push([hubAccount, (await call(hubAccount, "POST", "/profile", { Name: `other-${i}`, ClientToken: `other-${i}` })).Profile.Id]);
    const own: string = (await call(tokyoAccount, "POST", "/profile", { Name: "own", ClientToken: "own" })).Profile.Id;
    made.push([tokyoAccount, own]);
    await call(tokyoAccount, "POST", "/profileassociation", { Name: "own-vpc", ProfileId: own, ResourceId: vpc });
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator.url, credentials: await emulator.credentials(tokyoAccount) });
    let zoneId: string | undefined;
    try {
      expect(failures(await run(doc))).toEqual([
        "fail quotas Route 53 Profiles of account network-hub in ap-northeast-1: 5 exist, this topology creates 1 (hub tokyo): 6 of 5 (AWS's default); delete unused Profiles, raise the quota and declare it, or keep a hub on sharing: zones",
        `fail conflicts spoke app-tokyo (${vpc}): it is associated with Route 53 Profile ${own} (association own-vpc): a VPC takes one Profile (AWS refuses a second, ConflictException); disassociate it, or keep hub tokyo on sharing: zones`,
      ]);
      // Off the other Profile, with a zone of its own for a hub name and the raised quota declared: a note.
      await call(tokyoAccount, "DELETE", `/profileassociation/profileid/${own}/resourceid/${vpc}`);
      zoneId = (await route53.send(new CreateHostedZoneCommand({ Name: "ssm.ap-northeast-1.amazonaws.com", CallerReference: `own-${Date.now()}`, VPC: { VPCId: vpc, VPCRegion: "ap-northeast-1" } }))).HostedZone!.Id!;
      doc.quotas = { profilesPerRegion: 6 };
      const checks = await run(doc);
      expect(failures(checks)).toEqual([
        `note conflicts spoke app-tokyo (${vpc}): zone ssm.ap-northeast-1.amazonaws.com (${zoneId.replace("/hostedzone/", "")}, account ${tokyoAccount}) is already associated: these override hub tokyo's Profile for those names (the VPC's own settings win); remove them for the hub's endpoints to answer`,
      ]);
      expect(checks.find((c) => c.subject.startsWith("Route 53 Profiles"))!.detail).toBe("5 exist, this topology creates 1 (hub tokyo): 6 of 6 (declared in quotas.profilesPerRegion)");
      expect(formatPreflight(checks)).toMatch(/^preflight: \d+ checks, 0 failed, 0 could not be made, 1 note\(s\); nothing found that AWS would refuse$/m);
    } finally {
      if (zoneId) await route53.send(new DeleteHostedZoneCommand({ Id: zoneId }));
      for (const association of [...emulator.proxy.profiles.vpcAssociations.values()]) await call(association.OwnerId, "DELETE", `/profileassociation/profileid/${association.ProfileId}/resourceid/${association.ResourceId}`);
      for (const [account, id] of made) await call(account, "DELETE", `/profile/${id}`);
    }
  }, 60_000);

  it("is a command: privatelink preflight prints one line per check and exits 0, or 1 when one failed", async () => {
    const dir = tempDir("preflight");
    const file = path.join(dir, "topology.json");
    fs.writeFileSync(file, JSON.stringify(prepared));
    const cli = path.join(ROOT, "dist", "assets", "privatelink.cjs");
    const env = { ...process.env, TOPOLOGY: file, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    // Asynchronous: the emulator's proxy runs in this process and must keep answering.
    const runCli = () =>
      new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, "preflight"], { env });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.on("close", (status) => resolve({ status, stdout }));
      });
    const ok = await runCli();
    expect(ok.stdout).toMatch(/^ok {3}credentials caller: arn:aws:/m);
    expect(ok.stdout).toMatch(/^preflight: \d+ checks, 0 failed, 0 could not be made; nothing found that AWS would refuse$/m);
    expect(ok.status).toBe(0);
    // Checks run concurrently, the report keeps the topology's order.
    expect([...ok.stdout.matchAll(/^ok {3}vpcs +vpc (\S+)/gm)].map((m) => m[1])).toEqual(Object.keys(prepared.vpcs));
    expect([...ok.stdout.matchAll(/^ok {3}roles +account (\S+)/gm)].map((m) => m[1])).toEqual(Object.keys(prepared.accounts));
    const broken = JSON.parse(JSON.stringify(prepared));
    broken.vpcs["app-osaka"].vpcId = "vpc-0123456789abcdef0";
    fs.writeFileSync(file, JSON.stringify(broken));
    const bad = await runCli();
    expect(bad.stdout).toMatch(/^FAIL vpcs {8}vpc app-osaka/m);
    expect(bad.status).toBe(1);
  }, 60_000);
});
