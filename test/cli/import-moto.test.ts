/**
 * `privatelink import` on the emulator: the estate of seeds 000/001 (and 002/003's service) built by hand
 * through the SDK (tools/hand-built-estate.ts), then adopted with zero recreation:
 *
 * 1. bad input (a role of another account, a role that cannot be assumed, an unknown region) is exit 2 with
 *    a located message and nothing written; the import writes a topology that validates and an imports file
 *    whose every id is one built by hand;
 * 2. the first plan imports every adopted resource, destroys and replaces nothing, and creates exactly what
 *    the report said it would;
 * 3. deploy adopts it: the ids in the state are the hand-built ones, the forgotten authorization is gone, a
 *    second plan changes nothing, and what the import left alone is untouched;
 * 4. day two on the adopted estate: a spoke added and a service removed deploy as on a native estate.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { runIn } from "./run-command";
import { loadTopologyFile } from "../../topology/load";
import { Emulator, startEmulator } from "../../tools/emulator";
import { createVpc } from "../../tools/emulator-fixtures";
import { ACCOUNTS, buildHandBuiltEstate, HandBuiltEstate, REGION } from "../../tools/hand-built-estate";
import { zonesOfVpc } from "../../tools/e2e";
import { terraformEnv } from "../../tools/terraform-env";
import { tempDir } from "../helpers";

let emulator: Emulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});


/** terraform in a stack directory, without blocking the emulator that runs in this process. */
function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`terraform ${args.join(" ")}: ${stderr}`))));
  });
}

describe("privatelink import (moto): a hand-built estate adopted with zero recreation", () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  let estate: HandBuiltEstate;
  const accountsYaml = (overrides: Record<string, string> = {}) =>
    [
      "# the accounts of the estate, as a topology has them",
      "accounts:",
      ...Object.entries({ "network-hub": ACCOUNTS.hub, "workload-tokyo": ACCOUNTS.spoke, "service-owner": ACCOUNTS.service }).map(
        ([name, a]) => `  ${name}:\n    id: "${a.id}"\n    deployRoleArn: ${overrides[name] ?? a.deployRoleArn}`,
      ),
      `regions: [${REGION}, ap-northeast-3]`,
      "",
    ].join("\n");
  const stateOf = (stack: string) => JSON.parse(fs.readFileSync(path.join(work, `terraform.estate.${stack}.tfstate`), "utf8"));
  const idsInState = (stack: string, type: string): Record<string, string> =>
    Object.fromEntries(stateOf(stack).resources.filter((r: any) => r.type === type && r.mode === "managed").map((r: any) => [r.name, r.instances[0].attributes.id]));

  const run = (args: string[]) => runIn(work, args, env);

  beforeAll(async () => {
    work = tempDir("import");
    emulator = await startEmulator();
    estate = await buildHandBuiltEstate(emulator.url, emulator.credentials);
    env = {
      ...process.env,
      TOPOLOGY: "estate.yaml",
      TARGET_ENDPOINT: emulator.url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      TF_CLI_CONFIG_FILE: terraformEnv(path.join(work, ".tf-offline")).cliConfig,
      CDKTF_OUTDIR: "",
    };
  }, 300_000);

  it("bad input is exit 2, located, nothing written; the import writes a valid topology and the hand-built ids", async () => {
    fs.writeFileSync(path.join(work, "accounts.yaml"), accountsYaml({ "workload-tokyo": "arn:aws:iam::999988887777:role/privatelink-deployer" }));
    const wrongAccount = await run(["import", "--accounts", "accounts.yaml", "--out", "estate.yaml"]);
    expect([wrongAccount.code, wrongAccount.out]).toEqual([2, ""]);
    expect(wrongAccount.err).toMatch(/^accounts\.yaml: 1 problem found; nothing was written\.\n {2}- line 8: accounts\.workload-tokyo\.deployRoleArn: is a role of account 999988887777, not of 222233334444\n$/);

    fs.writeFileSync(path.join(work, "accounts.yaml"), accountsYaml());
    emulator!.proxy.refusedRoles.add(ACCOUNTS.service.deployRoleArn);
    const refused = await run(["import", "--accounts", "accounts.yaml", "--out", "estate.yaml"]);
    emulator!.proxy.refusedRoles.delete(ACCOUNTS.service.deployRoleArn);
    expect([refused.code, refused.out]).toEqual([2, ""]);
    expect(refused.err).toMatch(/accounts\.service-owner\.deployRoleArn.*cannot be assumed.*AccessDenied/s);

    const region = await run(["import", "--accounts", "accounts.yaml", "--regions", "ap-northeast-9", "--out", "estate.yaml"]);
    expect([region.code, region.err]).toEqual([2, expect.stringContaining('--regions: "ap-northeast-9" is not a region this release knows')]);
    expect(fs.readdirSync(work).sort()).toEqual([".tf-offline", "accounts.yaml"]);

    const imported = await run(["import", "--accounts", "accounts.yaml", "--out", "estate.yaml", "--report-json", "import.json"]);
    expect({ code: imported.code, err: imported.code === 0 ? "" : imported.err }).toEqual({ code: 0, err: "" });
    expect(imported.err).toMatch(/network-hub \(111122223333\) ap-northeast-1: \d+ VPC\(s\), 5 endpoint\(s\), 1 resolver endpoint\(s\)/);
    const { model } = loadTopologyFile(path.join(work, "estate.yaml"));
    expect([...model.hubs.values()].map((h) => [h.name, h.services.map((s) => s.short), h.securityGroupId, h.resolver.securityGroupId, h.resolver.addresses.map((a) => a.ip)])).toEqual([
      ["tokyo", ["ssm", "ssmmessages", "ec2messages", "s3"], estate.endpointGroup, estate.resolverGroup, estate.resolverIps],
    ]);
    expect([...model.spokes.values()].map((s) => [s.name, s.vpc.vpcId, s.association])).toEqual([["app-tokyo", estate.spokeVpc.vpcId, "script"]]);
    expect([...model.onPrem.values()].map((o) => o.cidrs)).toEqual([["192.168.0.0/16"]]);

    const imports = JSON.parse(fs.readFileSync(path.join(work, "estate.imports.json"), "utf8")).imports as Array<{ stack: string; to: string; id: string }>;
    const byAddress = Object.fromEntries(imports.map((i) => [i.to, i.id]));
    expect(imports.every((i) => i.stack === "hub-tokyo")).toBe(true);
    for (const [service, id] of Object.entries(estate.endpoints)) expect(byAddress[`aws_vpc_endpoint.${service}`]).toBe(id);
    for (const [name, id] of Object.entries(estate.zones)) expect(byAddress[`aws_route53_zone.${name.replace(/\./g, "_")}`]).toBe(id);
    expect(byAddress["aws_route53_resolver_endpoint.tokyo_inbound"]).toBe(estate.resolverId);
    expect(byAddress["aws_route53_record.wildcard_s3_ap-northeast-1_amazonaws_com"]).toBe(`${estate.zones[`s3.${REGION}.amazonaws.com`]}_*.s3.${REGION}.amazonaws.com_A`);
    expect(imports.filter((i) => i.to.startsWith("aws_vpc_security_group_ingress_rule.")).map((i) => i.to.split(".")[1]).sort()).toEqual([
      "tokyo-hub-endpoints_in_tcp_443_10_0_0_0_16",
      "tokyo-hub-endpoints_in_tcp_443_10_1_0_0_16",
      "tokyo-hub-endpoints_in_tcp_443_192_168_0_0_16",
      "tokyo-resolver-inbound_in_tcp_53_192_168_0_0_16",
      "tokyo-resolver-inbound_in_udp_53_192_168_0_0_16",
    ]);
    expect(imports).toHaveLength(19);

    const report = JSON.parse(fs.readFileSync(path.join(work, "import.json"), "utf8"));
    expect(report.adopted).toHaveLength(19);
    expect(report.firstPlan).toEqual(expect.arrayContaining([expect.stringContaining(`creates zone s3-control.${REGION}.amazonaws.com`), expect.stringContaining(`creates zone s3-accesspoint.${REGION}.amazonaws.com`)]));
    expect(report.notManaged).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`endpoint ${estate.unrelated.privateDnsEndpoint} (com.amazonaws.${REGION}.kms, Interface, private DNS on)`),
        expect.stringContaining(`public zone example.com (${estate.unrelated.publicZone})`),
        expect.stringContaining("load balancer hub-tools (network)"),
        expect.stringContaining(`endpoint service ${estate.unrelated.endpointService}`),
      ]),
    );
    expect(report.authorizations).toEqual([expect.stringContaining(`zone ${estate.standingAuthorization}`)]);
    expect(report.empty).toEqual(expect.arrayContaining(["workload-tokyo (222233334444) ap-northeast-3: no endpoint, resolver endpoint, endpoint service or load balancer"]));
    expect(imported.out).toMatch(/^# privatelink import\n/);
    const again = await run(["import", "--accounts", "accounts.yaml", "--out", "estate.yaml"]);
    expect([again.code, again.err]).toEqual([2, expect.stringContaining("estate.yaml exists; pass --force to replace it")]);

    // Native mode: the spoke's associations are imported too (ZONE:VPC:REGION), at the spoke stack's addresses.
    const native = await run(["import", "--accounts", "accounts.yaml", "--association", "native", "--out", "native.yaml"]);
    expect(native.code).toBe(0);
    const associations = JSON.parse(fs.readFileSync(path.join(work, "native.imports.json"), "utf8")).imports.filter((i: any) => i.stack === "spoke-app-tokyo");
    expect(associations.map((i: any) => [i.to, i.id])).toEqual(
      Object.entries(estate.zones)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, id]) => [`aws_route53_zone_association.associate_${name.replace(/\./g, "_")}`, `${id}:${estate.spokeVpc.vpcId}:${REGION}`]),
    );
    expect(parseYaml(fs.readFileSync(path.join(work, "native.yaml"), "utf8")).spokes["app-tokyo"]).toEqual({ vpc: "app-tokyo", hub: "tokyo", association: "native" });
    for (const file of ["native.yaml", "native.imports.json"]) fs.rmSync(path.join(work, file));
  }, 300_000);

  it("the first plan imports every adopted resource, destroys and replaces nothing, creates what the report listed", async () => {
    const planned = await run(["plan", "--summary-json", "plan.json"]);
    expect({ code: planned.code, out: planned.code === 0 ? "" : planned.out.slice(-2000) }).toEqual({ code: 0, out: "" });
    const summary = JSON.parse(fs.readFileSync(path.join(work, "plan.json"), "utf8"));
    const hub = summary.stacks.find((s: any) => s.name === "hub-tokyo");
    expect([hub.import, hub.destroy, hub.replace]).toEqual([19, 0, 0]);
    expect(summary.destructive).toEqual([]);
    const plan = JSON.parse(await terraform(path.join(work, "cdktf.out", "stacks", "hub-tokyo"), ["show", "-json", "privatelink.tfplan"], env));
    const created = plan.resource_changes.filter((c: any) => c.change.actions.includes("create")).map((c: any) => c.address).sort();
    // Exactly the two S3 zones nobody built by hand, with their apex and wildcard records (the report's lines).
    expect(created).toEqual(
      ["s3-accesspoint", "s3-control"].flatMap((z) => [`aws_route53_record.${z}_${REGION}_amazonaws_com`, `aws_route53_record.wildcard_${z}_${REGION}_amazonaws_com`, `aws_route53_zone.${z}_${REGION}_amazonaws_com`]).sort(),
    );
    expect(plan.resource_changes.filter((c: any) => c.change.actions.includes("delete"))).toEqual([]);
    expect(planned.out).toContain("## privatelink plan: 19 to import, 12 to create");
  }, 600_000);

  it("deploy adopts: the hand-built ids in the state, the forgotten authorization gone, then no change; the rest untouched", async () => {
    const deployed = await run(["deploy", "--auto-approve"]);
    expect({ code: deployed.code, out: deployed.code === 0 ? "" : deployed.out.slice(-3000) }).toEqual({ code: 0, out: "" });
    // The spoke's handshake on that pair ends by deleting the authorization (else the deploy's sweep would).
    expect(emulator!.proxy.authorizationsLeft()).toEqual([]);
    const endpoints = idsInState("hub-tokyo", "aws_vpc_endpoint");
    expect(endpoints).toEqual(estate.endpoints);
    const zones = idsInState("hub-tokyo", "aws_route53_zone");
    for (const [name, id] of Object.entries(estate.zones)) expect(zones[name.replace(/\./g, "_")]).toBe(id);
    expect(idsInState("hub-tokyo", "aws_route53_resolver_endpoint")).toEqual({ tokyo_inbound: estate.resolverId });
    const resolver = stateOf("hub-tokyo").resources.find((r: any) => r.type === "aws_route53_resolver_endpoint").instances[0].attributes;
    expect(resolver.ip_address.map((a: any) => a.ip).sort()).toEqual([...estate.resolverIps]);
    expect(resolver.security_group_ids).toEqual([estate.resolverGroup]);

    const again = await run(["plan", "--detailed-exitcode", "--summary-json", "plan2.json"]);
    expect({ code: again.code, out: again.code === 0 ? "" : again.out.slice(-2000) }).toEqual({ code: 0, out: "" });

    const hubCredentials = await emulator!.credentials(ACCOUNTS.hub.id);
    const ec2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: hubCredentials });
    const kms = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [estate.unrelated.privateDnsEndpoint] }))).VpcEndpoints ?? [];
    expect(kms.map((e) => [e.PrivateDnsEnabled, e.Groups?.map((g) => g.GroupId)])).toEqual([[true, [estate.endpointGroup]]]);
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator!.url, credentials: hubCredentials });
    expect((await route53.send(new GetHostedZoneCommand({ Id: estate.unrelated.publicZone }))).HostedZone?.Name).toBe("example.com.");
    const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: emulator!.url, credentials: hubCredentials });
    expect((await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [estate.unrelated.loadBalancer] }))).LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(["hub-tools"]);
  }, 600_000);

  it("day two on the adopted estate: a spoke added and a service removed deploy as on a native estate", async () => {
    const spokeCredentials = await emulator!.credentials(ACCOUNTS.spoke.id);
    const added = await createVpc(emulator!.url, spokeCredentials, REGION, "10.3.0.0/16", [
      { az: "a", cidr: "10.3.1.0/24" },
      { az: "c", cidr: "10.3.2.0/24" },
    ]);
    const doc = parseYaml(fs.readFileSync(path.join(work, "estate.yaml"), "utf8"));
    doc.vpcs["batch-tokyo"] = { account: "workload-tokyo", region: REGION, vpcId: added.vpcId, cidr: added.cidr, subnets: added.subnets };
    doc.spokes["batch-tokyo"] = { vpc: "batch-tokyo" };
    doc.hubs.tokyo.services = doc.hubs.tokyo.services.filter((s: string) => s !== "ec2messages");
    fs.writeFileSync(path.join(work, "estate.yaml"), stringifyYaml(doc));

    const deployed = await run(["deploy", "--auto-approve"]);
    expect({ code: deployed.code, out: deployed.code === 0 ? "" : deployed.out.slice(-3000) }).toEqual({ code: 0, out: "" });
    // The imports of the removed service name resources no longer configured: left out, said so.
    expect(deployed.err).toMatch(/estate\.imports\.json: 3 import\(s\) name resources no longer in the configuration/);
    const remaining = ["s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((z) => `${z}.${REGION}.amazonaws.com`);
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator!.url, credentials: await emulator!.credentials(ACCOUNTS.hub.id) });
    expect(await zonesOfVpc(route53, added.vpcId)).toEqual(remaining);
    expect(await zonesOfVpc(route53, estate.spokeVpc.vpcId)).toEqual(remaining);
    const { ec2messages, ...kept } = estate.endpoints;
    expect(idsInState("hub-tokyo", "aws_vpc_endpoint")).toEqual(kept);
    const ec2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: await emulator!.credentials(ACCOUNTS.hub.id) });
    const left = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [estate.hubVpc.vpcId] }] }))).VpcEndpoints ?? [];
    expect(left.filter((e) => String(e.State).toLowerCase() !== "deleted").map((e) => e.VpcEndpointId).sort()).toEqual([...Object.values(kept), estate.unrelated.privateDnsEndpoint].sort());

    const again = await run(["plan", "--detailed-exitcode"]);
    expect({ code: again.code, out: again.code === 0 ? "" : again.out.slice(-2000) }).toEqual({ code: 0, out: "" });
  }, 900_000);
});
