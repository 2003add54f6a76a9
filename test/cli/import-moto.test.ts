/**
 * `privatelink import` on the emulator: the estate of seeds 000/001/002/003 built by hand through the SDK
 * (tools/hand-built-estate.ts): hub, spoke, Resolver, an NLB service with its accepted consumer; then adopted
 * with zero recreation:
 *
 * 1. bad input (a role of another account, a role that cannot be assumed, an unknown region) is exit 2 with
 *    a located message and nothing written; the import writes a topology that validates and an imports file
 *    whose every id is one built by hand;
 * 2. the first plan imports every adopted resource, destroys and replaces nothing, and creates exactly what
 *    the report said it would;
 * 3. deploy adopts it: the ids in the state are the hand-built ones, the forgotten authorization is gone, a
 *    second plan changes nothing, and what the import left alone is untouched;
 * 4. day two on the adopted estate: a spoke added, a hub service and the PrivateLink service removed deploy as
 *    on a native estate (the adopted service and its consumer retire and are destroyed; the adopted groups stay).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DescribeSecurityGroupsCommand, DescribeVpcEndpointServiceConfigurationsCommand, DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { runIn } from "./run-command";
import { loadTopologyFile } from "../../topology/load";
import { Emulator, startEmulator } from "../../tools/emulator";
import { createVpc } from "../../tools/emulator-fixtures";
import { ACCOUNTS, buildHandBuiltEstate, HandBuiltEstate, REGION } from "../../tools/hand-built-estate";
import { zonesOfVpc } from "../../tools/e2e";
import { changesIn, terraformEnv } from "../../tools/terraform-env";
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
  /** The changes of each stack's saved plan (privatelink plan's), per address. */
  const savedChanges = async (stacks: readonly string[]) =>
    Object.fromEntries(
      await Promise.all(stacks.map(async (stack) => [stack, changesIn(JSON.parse(await terraform(path.join(work, "cdktf.out", "stacks", stack), ["show", "-json", "privatelink.tfplan"], env)))] as const)),
    );
  const STACKS = ["consumer-orders-api-app-tokyo", "hub-tokyo", "service-orders-api", "spoke-app-tokyo"];

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
    expect(imported.err).toMatch(/service-owner \(444455556666\) ap-northeast-1: \d+ VPC\(s\), 0 endpoint\(s\), 0 resolver endpoint\(s\), 1 endpoint service\(s\), 1 load balancer\(s\)/);
    const { model } = loadTopologyFile(path.join(work, "estate.yaml"));
    expect([...model.hubs.values()].map((h) => [h.name, h.services.map((s) => s.short), h.securityGroupId, h.resolver.securityGroupId, h.resolver.addresses.map((a) => a.ip)])).toEqual([
      ["tokyo", ["ssm", "ssmmessages", "ec2messages", "s3"], estate.endpointGroup, estate.resolverGroup, estate.resolverIps],
    ]);
    expect([...model.spokes.values()].map((s) => [s.name, s.vpc.vpcId, s.association])).toEqual([["app-tokyo", estate.spokeVpc.vpcId, "script"]]);
    expect([...model.onPrem.values()].map((o) => o.cidrs)).toEqual([["192.168.0.0/16"]]);
    // Seeds 002/003: the service as built (its load balancer's group, its target group's name) and its consumer.
    expect(model.services.map((s) => [s.name, s.provider?.vpc.vpcId, s.provider?.listeners, s.provider?.targets, s.provider?.loadBalancer, s.provider?.acceptanceRequired, s.provider?.allowedPrincipals])).toEqual([
      [
        "orders-api",
        estate.service.vpc.vpcId,
        [{ port: 80, targetPort: 80 }],
        { type: "instance", ids: [...estate.service.instances].sort(), securityGroupId: undefined },
        { name: undefined, securityGroupId: estate.service.loadBalancerGroup, targetGroups: { 80: "orders-tg" } },
        true,
        [`arn:aws:iam::${ACCOUNTS.spoke.id}:root`],
      ],
    ]);
    expect(model.consumers.map((c) => [c.name, c.vpc.vpcId, c.securityGroupId, c.allowedCidrs, c.acceptance])).toEqual([["app-tokyo", estate.spokeVpc.vpcId, estate.service.consumerGroup, [estate.spokeVpc.cidr], "auto"]]);

    const importsFile = JSON.parse(fs.readFileSync(path.join(work, "estate.imports.json"), "utf8"));
    const all = importsFile.imports as Array<{ stack: string; to: string; id: string }>;
    const imports = all.filter((i) => i.stack === "hub-tokyo");
    const byAddress = Object.fromEntries(imports.map((i) => [i.to, i.id]));
    const elsewhere = all
      .filter((i) => i.stack !== "hub-tokyo")
      .map((i) => [i.stack, i.to, i.id])
      .sort((a, b) => (`${a[0]} ${a[1]}` < `${b[0]} ${b[1]}` ? -1 : 1));
    expect(elsewhere.filter(([, to]) => !to.startsWith("aws_vpc_security_group"))).toEqual([
      ["consumer-orders-api-app-tokyo", "aws_vpc_endpoint.orders-api-app-tokyo", estate.service.consumerEndpoint],
      ["consumer-orders-api-app-tokyo", "aws_vpc_endpoint_connection_accepter.orders-api-app-tokyo", `${estate.service.serviceId}_${estate.service.consumerEndpoint}`],
      ["service-orders-api", "aws_lb.orders-api", estate.service.loadBalancer],
      ["service-orders-api", "aws_lb_listener.orders-api_80", estate.service.listener],
      ["service-orders-api", "aws_lb_target_group.orders-api_80", estate.service.targetGroup],
      ["service-orders-api", "aws_vpc_endpoint_service.orders-api", estate.service.serviceId],
    ]);
    expect(elsewhere.filter(([, to]) => to.startsWith("aws_vpc_security_group")).map(([stack, to]) => `${stack} ${to}`)).toEqual([
      "consumer-orders-api-app-tokyo aws_vpc_security_group_ingress_rule.orders-api-app-tokyo-endpoint_in_tcp_80_10_1_0_0_16",
      "service-orders-api aws_vpc_security_group_ingress_rule.orders-api-nlb_in_tcp_80_10_1_0_0_16",
    ]);
    // The consumer plans against the adopted service's real name before the service's stack is applied.
    expect(importsFile.outputs).toEqual({ "service-orders-api": { service_name: estate.service.serviceName, service_id: estate.service.serviceId } });
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
    expect(all).toHaveLength(27);

    const report = JSON.parse(fs.readFileSync(path.join(work, "import.json"), "utf8"));
    expect(report.adopted).toHaveLength(27);
    // The discovery's calls per account (docs/import.md quotes them): 2 regions each.
    expect(report.calls).toEqual({ "network-hub": 28, "workload-tokyo": 15, "service-owner": 20 });
    expect(report.firstPlan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service orders-api: registers its 2 target\(s\) in target group orders-tg/),
        `service orders-api: adds an egress rule on ${estate.service.loadBalancerGroup} to ${estate.service.vpc.cidr} on port 80`,
      ]),
    );
    expect(report.firstPlan).toEqual(expect.arrayContaining([expect.stringContaining(`creates zone s3-control.${REGION}.amazonaws.com`), expect.stringContaining(`creates zone s3-accesspoint.${REGION}.amazonaws.com`)]));
    expect(report.notManaged).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`endpoint ${estate.unrelated.privateDnsEndpoint} (com.amazonaws.${REGION}.kms, Interface, private DNS on)`),
        expect.stringContaining(`public zone example.com (${estate.unrelated.publicZone})`),
        expect.stringContaining("load balancer hub-tools (network)"),
      ]),
    );
    expect(report.notManaged.filter((l: string) => /orders|vpce-svc/.test(l))).toEqual([]);
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
    // The service: its five adopted resources imported, nothing replaced; created: the two target registrations
    // (an attachment cannot be imported) and the NLB's egress rule, as the report said. The consumer: imports only.
    const byStack = Object.fromEntries(summary.stacks.map((s: any) => [s.name, [s.import, s.add, s.destroy, s.replace]]));
    expect([byStack["service-orders-api"], byStack["consumer-orders-api-app-tokyo"]]).toEqual([
      [5, 3, 0, 0],
      [3, 0, 0, 0],
    ]);
    const changes = await savedChanges(["service-orders-api", "consumer-orders-api-app-tokyo"]);
    expect(Object.entries(changes["service-orders-api"]).filter(([, c]) => c[0] === "create").map(([a]) => a).sort()).toEqual(
      [...estate.service.instances.map((i) => `aws_lb_target_group_attachment.orders-api_80_${i}`), `aws_vpc_security_group_egress_rule.orders-api-nlb_out_tcp_80_${estate.service.vpc.cidr.replace(/[./]/g, "_")}`].sort(),
    );
    expect(Object.values(changes["consumer-orders-api-app-tokyo"]).filter((c) => c[0].includes("create") || c[0].includes("delete"))).toEqual([]);
    expect(planned.out).toContain("## privatelink plan: 27 to import, 15 to create");
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

    expect(idsInState("service-orders-api", "aws_lb")).toEqual({ "orders-api": estate.service.loadBalancer });
    expect(idsInState("service-orders-api", "aws_lb_target_group")).toEqual({ "orders-api_80": estate.service.targetGroup });
    expect(idsInState("service-orders-api", "aws_vpc_endpoint_service")).toEqual({ "orders-api": estate.service.serviceId });
    expect(idsInState("consumer-orders-api-app-tokyo", "aws_vpc_endpoint")).toEqual({ "orders-api-app-tokyo": estate.service.consumerEndpoint });

    const again = await run(["plan", "--detailed-exitcode", "--summary-json", "plan2.json"]);
    expect({ code: again.code, out: again.code === 0 ? "" : again.out.slice(-2000) }).toEqual({ code: 0, out: "" });
    expect(JSON.parse(fs.readFileSync(path.join(work, "plan2.json"), "utf8")).unchanged.sort()).toEqual(STACKS);

    const hubCredentials = await emulator!.credentials(ACCOUNTS.hub.id);
    const ec2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: hubCredentials });
    const kms = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [estate.unrelated.privateDnsEndpoint] }))).VpcEndpoints ?? [];
    expect(kms.map((e) => [e.PrivateDnsEnabled, e.Groups?.map((g) => g.GroupId)])).toEqual([[true, [estate.endpointGroup]]]);
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator!.url, credentials: hubCredentials });
    expect((await route53.send(new GetHostedZoneCommand({ Id: estate.unrelated.publicZone }))).HostedZone?.Name).toBe("example.com.");
    const elb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: emulator!.url, credentials: hubCredentials });
    expect((await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [estate.unrelated.loadBalancer] }))).LoadBalancers?.map((l) => [l.LoadBalancerName, l.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic])).toEqual([["hub-tools", undefined]]);
    // The adopted NLB, built with a group, enforces it on PrivateLink traffic (AWS's default; the gap proxy adds what moto omits).
    const serviceElb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: emulator!.url, credentials: await emulator!.credentials(ACCOUNTS.service.id) });
    expect((await serviceElb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [estate.service.loadBalancer] }))).LoadBalancers?.map((l) => [l.LoadBalancerName, l.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic])).toEqual([["orders-api", "on"]]);
  }, 600_000);

  it("day two on the adopted estate: a spoke added, a hub service and the PrivateLink service removed deploy as on a native estate", async () => {
    const spokeCredentials = await emulator!.credentials(ACCOUNTS.spoke.id);
    const added = await createVpc(emulator!.url, spokeCredentials, REGION, "10.3.0.0/16", [
      { az: "a", cidr: "10.3.1.0/24" },
      { az: "c", cidr: "10.3.2.0/24" },
    ]);
    const doc = parseYaml(fs.readFileSync(path.join(work, "estate.yaml"), "utf8"));
    doc.vpcs["batch-tokyo"] = { account: "workload-tokyo", region: REGION, vpcId: added.vpcId, cidr: added.cidr, subnets: added.subnets };
    doc.spokes["batch-tokyo"] = { vpc: "batch-tokyo" };
    doc.hubs.tokyo.services = doc.hubs.tokyo.services.filter((s: string) => s !== "ec2messages");
    // The adopted PrivateLink service goes too: its stacks retire, consumer first, as on a native estate.
    delete doc.privateLink;
    fs.writeFileSync(path.join(work, "estate.yaml"), stringifyYaml(doc));

    const deployed = await run(["deploy", "--auto-approve"]);
    expect({ code: deployed.code, out: deployed.code === 0 ? "" : deployed.out.slice(-3000) }).toEqual({ code: 0, out: "" });
    // The imports of what was removed name resources no longer configured: left out, said so
    // (ec2messages' endpoint, zone and record; the service's 5 and its consumer's 3).
    expect(deployed.err).toMatch(/estate\.imports\.json: 11 import\(s\) name resources no longer in the configuration/);
    const serviceCredentials = await emulator!.credentials(ACCOUNTS.service.id);
    const serviceElb = new ElasticLoadBalancingV2Client({ region: REGION, endpoint: emulator!.url, credentials: serviceCredentials });
    expect(((await serviceElb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((l) => l.LoadBalancerName)).toEqual([]);
    const serviceEc2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: serviceCredentials });
    expect(((await serviceEc2.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations ?? []).map((c) => c.ServiceId)).toEqual([]);
    // The groups were the team's, adopted, not created: they stay (without the product's rules).
    const groups = (await serviceEc2.send(new DescribeSecurityGroupsCommand({ GroupIds: [estate.service.loadBalancerGroup] }))).SecurityGroups ?? [];
    expect(groups.map((g) => g.GroupId)).toEqual([estate.service.loadBalancerGroup]);
    const spokeEc2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: spokeCredentials });
    const consumerLeft = (await spokeEc2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [estate.spokeVpc.vpcId] }] }))).VpcEndpoints ?? [];
    expect(consumerLeft.filter((e) => String(e.State).toLowerCase() !== "deleted").map((e) => e.VpcEndpointId)).toEqual([]);
    const remaining = ["s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((z) => `${z}.${REGION}.amazonaws.com`);
    const route53 = new Route53Client({ region: "us-east-1", endpoint: emulator!.url, credentials: await emulator!.credentials(ACCOUNTS.hub.id) });
    expect(await zonesOfVpc(route53, added.vpcId)).toEqual(remaining);
    expect(await zonesOfVpc(route53, estate.spokeVpc.vpcId)).toEqual(remaining);
    const { ec2messages, ...kept } = estate.endpoints;
    expect(idsInState("hub-tokyo", "aws_vpc_endpoint")).toEqual(kept);
    const ec2 = new EC2Client({ region: REGION, endpoint: emulator!.url, credentials: await emulator!.credentials(ACCOUNTS.hub.id) });
    const left = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [estate.hubVpc.vpcId] }] }))).VpcEndpoints ?? [];
    expect(left.filter((e) => String(e.State).toLowerCase() !== "deleted").map((e) => e.VpcEndpointId).sort()).toEqual([...Object.values(kept), estate.unrelated.privateDnsEndpoint].sort());

    const again = await run(["plan", "--detailed-exitcode", "--summary-json", "plan3.json"]);
    expect({ code: again.code, out: again.code === 0 ? "" : again.out.slice(-2000) }).toEqual({ code: 0, out: "" });
    expect(JSON.parse(fs.readFileSync(path.join(work, "plan3.json"), "utf8")).unchanged.sort()).toEqual(["hub-tokyo", "spoke-app-tokyo", "spoke-batch-tokyo"]);
  }, 900_000);
});
