/**
 * `npm run e2e`: deploys the bundled example to a local AWS emulator and takes it down again.
 *
 * 1. starts moto_server on a free loopback port, and the gap proxy in front of it
 *    (tools/moto-gap-proxy.ts: what moto lacks, done openly);
 * 2. creates the example's VPCs, subnets and service targets in moto, in each account and region;
 * 3. `privatelink deploy` of the example with those ids and the local target (terraform with the
 *    offline provider mirror, stacks in dependency order; the spokes run the real handshake script);
 * 4. checks through AWS SDK calls, in the right accounts, what the seeds describe, and plans for drift;
 * 5. day two: removes a spoke and a hub service, `privatelink plan` (summary checked), `deploy`, checks
 *    that exactly they were taken down (disassociations included); restores them and deploys again;
 * 6. `privatelink destroy` and checks that nothing managed is left;
 * 7. stops the emulator whatever happens.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DescribeSecurityGroupRulesCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { GetHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { ListResolverEndpointIpAddressesCommand, ListResolverEndpointsCommand, Route53ResolverClient } from "@aws-sdk/client-route53resolver";
import { projectRoot } from "../modules/package-assets";
import { Emulator, readTopologyDoc, startEmulator } from "./emulator";
import { EmulatorCredentials } from "./emulator-fixtures";
import { MotoGapProxy } from "./moto-gap-proxy";
import { main as onpremDns } from "../cli/onprem-dns";
import { main as privatelinkMain } from "../cli/privatelink";
import { readEstate } from "../synth/estate";
import { Dependencies, dependenciesOf, schedule } from "../cli/schedule";
import { plannedChanges, runTerraformAsync, terraformEnv, TerraformEnv } from "./terraform-env";

const EXAMPLE = path.join(projectRoot(), "examples", "topology.yaml");

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export class Report {
  readonly checks: Check[] = [];
  readonly timings: Array<[string, number]> = [];
  private readonly started = Date.now();

  constructor(readonly log: (line: string) => void = (line) => console.log(line)) {}

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail });
    this.log(`${ok ? "  ok  " : "  FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
  }
  equal(name: string, actual: unknown, expected: unknown): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    this.check(name, a === e, a === e ? a : `expected ${e}, got ${a}`);
  }
  async timed<T>(label: string, run: () => Promise<T>): Promise<T> {
    const t = Date.now();
    try {
      return await run();
    } finally {
      this.timings.push([label, (Date.now() - t) / 1000]);
    }
  }
  get failed(): Check[] {
    return this.checks.filter((c) => !c.ok);
  }
  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}

type Doc = Record<string, any>;

export { dependenciesOf, schedule };
export type { Dependencies };

/** Fixed dummy credentials for terraform; the emulator tells accounts apart by the roles assumed. */
const TERRAFORM_VARS = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

function lastLines(text: string, n = 12): string {
  return text.trim().split("\n").slice(-n).join("\n        ");
}

async function checkDeployed(doc: Doc, url: string, creds: (account: string) => Promise<EmulatorCredentials>, proxy: MotoGapProxy, report: Report, logDir: string): Promise<void> {
  const account = (name: string) => doc.accounts[name].id as string;
  const hubVpc = doc.vpcs[doc.hubs.tokyo.vpc];
  const hubCreds = await creds(account(hubVpc.account));
  const ec2Hub = new EC2Client({ region: hubVpc.region, endpoint: url, credentials: hubCreds });

  // Hub: endpoints with private DNS off.
  const endpoints = (await ec2Hub.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [hubVpc.vpcId] }] }))).VpcEndpoints!;
  report.equal(
    "hub endpoints (interface, private DNS off)",
    endpoints.map((e) => `${e.ServiceName}:${e.VpcEndpointType}:${e.PrivateDnsEnabled}`).sort(),
    ["ec2messages", "s3", "ssm", "ssmmessages"].map((s) => `com.amazonaws.ap-northeast-1.${s}:Interface:false`),
  );
  const organization = doc.hubs.tokyo.endpointPolicy?.organizationId;
  report.equal(
    "hub endpoints: the organization's policy (S3 also on the organization's buckets)",
    endpoints.map((e) => `${e.ServiceName!.split(".").pop()}:${JSON.stringify(JSON.parse(e.PolicyDocument ?? "{}").Statement?.[0]?.Condition)}`).sort(),
    ["ec2messages", "s3", "ssm", "ssmmessages"].map((s) => `${s}:${JSON.stringify({ StringEquals: { "aws:PrincipalOrgID": organization, ...(s === "s3" ? { "aws:ResourceOrgID": organization } : {}) } })}`),
  );

  // Zones, records, and the spokes' associations (the Osaka one cross-region).
  const route53 = new Route53Client({ region: "us-east-1", endpoint: url, credentials: hubCreds });
  const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones!;
  report.equal("hub zones", zones.map((z) => z.Name).sort(), [
    "ec2messages.ap-northeast-1.amazonaws.com.",
    "s3-accesspoint.ap-northeast-1.amazonaws.com.",
    "s3-control.ap-northeast-1.amazonaws.com.",
    "s3.ap-northeast-1.amazonaws.com.",
    "ssm.ap-northeast-1.amazonaws.com.",
    "ssmmessages.ap-northeast-1.amazonaws.com.",
  ]);
  const s3Zone = zones.find((z) => z.Name === "s3.ap-northeast-1.amazonaws.com.")!;
  const s3Records = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s3Zone.Id }))).ResourceRecordSets!.filter((r) => r.AliasTarget);
  report.equal("S3 zone: apex and wildcard aliases", s3Records.map((r) => r.Name).sort(), ["\\052.s3.ap-northeast-1.amazonaws.com.", "s3.ap-northeast-1.amazonaws.com."]);
  const expectedVpcs = [hubVpc, doc.vpcs["app-tokyo"], doc.vpcs["app-osaka"]].map((v) => `${v.vpcId}@${v.region}`).sort();
  for (const zone of zones) {
    const vpcs = ((await route53.send(new GetHostedZoneCommand({ Id: zone.Id }))).VPCs ?? []).map((v) => `${v.VPCId}@${v.VPCRegion}`).sort();
    report.equal(`zone ${zone.Name} associated with hub, Tokyo and Osaka (ap-northeast-3) VPCs`, vpcs, expectedVpcs);
  }
  report.equal("no VPC association authorization left after the handshakes", proxy.authorizationsLeft(), []);
  const handshakeLines = fs
    .readdirSync(logDir)
    .filter((f) => f.startsWith("spoke-"))
    .flatMap((f) => fs.readFileSync(path.join(logDir, f), "utf8").split("\n"))
    .map((l) => /phz-handshake associate: (\S+) \((\d+) Route 53 calls \+ (\d+) GetChange polls\)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  report.check(
    "handshakes: 12 pairs associated, at most 4 Route 53 calls each plus polls",
    handshakeLines.length === 12 && handshakeLines.every((m) => m[1] === "associated" && Number(m[2]) <= 4),
    handshakeLines.map((m) => `${m[1]}:${m[2]}+${m[3]}`).join(" "),
  );

  // Resolver inbound endpoint on the pinned addresses.
  const resolver = new Route53ResolverClient({ region: hubVpc.region, endpoint: url, credentials: hubCreds });
  const inbound = (await resolver.send(new ListResolverEndpointsCommand({}))).ResolverEndpoints!.filter((e) => e.Direction === "INBOUND");
  const ips = inbound.length === 1 ? (await resolver.send(new ListResolverEndpointIpAddressesCommand({ ResolverEndpointId: inbound[0].Id }))).IpAddresses!.map((a) => a.Ip).sort() : [];
  report.equal("resolver inbound endpoint addresses", ips, ["10.0.1.53", "10.0.2.53"]);
  const dnsRules = inbound.length === 1
    ? (await ec2Hub.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: inbound[0].SecurityGroupIds! }] }))).SecurityGroupRules!
    : [];
  report.equal("resolver admits DNS (TCP, UDP 53) from on-prem only", dnsRules.filter((r) => !r.IsEgress).map((r) => `${r.IpProtocol}:${r.FromPort}:${r.CidrIpv4}`).sort(), ["tcp:53:192.168.0.0/16", "udp:53:192.168.0.0/16"]);

  // PrivateLink provider.
  const providerVpc = doc.vpcs[doc.privateLink["orders-api"].provider.vpc];
  const ownerCreds = await creds(account(providerVpc.account));
  const elb = new ElasticLoadBalancingV2Client({ region: providerVpc.region, endpoint: url, credentials: ownerCreds });
  const ec2Owner = new EC2Client({ region: providerVpc.region, endpoint: url, credentials: ownerCreds });
  const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
  report.equal("NLB (internal, network, two AZs)", lbs.map((lb) => `${lb.LoadBalancerName}:${lb.Scheme}:${lb.Type}:${lb.AvailabilityZones!.length}`), ["orders-api:internal:network:2"]);
  if (lbs.length === 1) {
    const groups = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbs[0].LoadBalancerArn }))).TargetGroups!;
    const targets = groups.length === 1 ? (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groups[0].TargetGroupArn }))).TargetHealthDescriptions!.length : 0;
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbs[0].LoadBalancerArn }))).Listeners!;
    report.equal("target group, targets, listener", [groups.map((g) => `${g.Protocol}:${g.Port}`), targets, listeners.map((l) => `${l.Protocol}:${l.Port}`)], [["TCP:80"], 2, ["TCP:80"]]);
    const targetRules = (await ec2Owner.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [doc.privateLink["orders-api"].provider.targets.securityGroupId] }] }),
    )).SecurityGroupRules!;
    const nlbRules = (await ec2Owner.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: lbs[0].SecurityGroups! }] }),
    )).SecurityGroupRules!;
    report.equal("NLB's group admits 80 from the consumers' CIDRs only", nlbRules.filter((r) => !r.IsEgress).map((r) => `${r.FromPort}:${r.CidrIpv4}`).sort(), ["80:10.50.0.0/16", "80:10.60.0.0/16"]);
    report.equal("targets' security group admits 80 from the NLB's group", targetRules.filter((r) => !r.IsEgress).map((r) => `${r.FromPort}:${r.ReferencedGroupInfo?.GroupId}`), [`80:${lbs[0].SecurityGroups![0]}`]);
  }
  const [service] = (await ec2Owner.send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations!;
  report.equal(
    "endpoint service: acceptance required, supported regions",
    [service?.AcceptanceRequired, (service?.SupportedRegions ?? []).map((r) => r.Region).sort()],
    [true, ["ap-northeast-1", "us-east-1"]],
  );
  const principals = service ? (await ec2Owner.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: service.ServiceId }))).AllowedPrincipals!.map((p) => p.Principal).sort() : [];
  report.equal("endpoint service principals (the consumer accounts)", principals, ["arn:aws:iam::222233334444:root", "arn:aws:iam::333344445555:root"]);

  // Consumers: Tokyo (same region, overlapping CIDR) and Virginia (cross-region).
  for (const [name, expectedRegion] of [["tokyo", undefined], ["virginia", "ap-northeast-1"]] as const) {
    const vpc = doc.vpcs[doc.privateLink["orders-api"].consumers[name].vpc];
    const ec2 = new EC2Client({ region: vpc.region, endpoint: url, credentials: await creds(account(vpc.account)) });
    const found = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] }))).VpcEndpoints!;
    report.equal(
      `consumer ${name} (${vpc.region}): interface endpoint to the service${expectedRegion ? `, service_region ${expectedRegion}` : ""}`,
      found.map((e) => [e.ServiceName, e.VpcEndpointType, e.ServiceRegion ?? null]),
      [[service?.ServiceName, "Interface", expectedRegion ?? null]],
    );
  }
  const connections = service ? (await ec2Owner.send(new DescribeVpcEndpointConnectionsCommand({ Filters: [{ Name: "service-id", Values: [service.ServiceId!] }] }))).VpcEndpointConnections! : [];
  report.equal("both connections accepted by the owner", connections.map((c) => c.VpcEndpointState), ["available", "available"]);
}

/**
 * What a plan right after the apply may still change: only what moto 5.2 does not model. It writes
 * same-account security group references as "<account>/sg-...", and reads a rule's description only for
 * CIDR rules. (The NLB's PrivateLink enforcement flag, which moto does not return either, the gap proxy adds.)
 */
export const MOTO_DRIFT: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  "service-orders-api": {
    "aws_vpc_security_group_egress_rule.orders-api-nlb_out_tcp_80_targets": ["description", "referenced_security_group_id"],
    "aws_vpc_security_group_ingress_rule.orders-api_targets-from-nlb_80": ["description", "referenced_security_group_id"],
  },
};

/** No drift after the apply; the hybrid DNS forwarders from the hub's real outputs; service_region is immutable. */
async function checkPlans(env: TerraformEnv, outdir: string, stacks: string[], report: Report, parse?: DnsParser): Promise<void> {
  const dir = (stack: string) => path.join(outdir, "stacks", stack);
  const [plans, outputs, replacement] = await Promise.all([
    Promise.all(stacks.map((stack) => plannedChanges(env, dir(stack), TERRAFORM_VARS))),
    runTerraformAsync(env, dir("hub-tokyo"), ["output", "-json"], TERRAFORM_VARS),
    serviceRegionChange(env, dir("consumer-orders-api-tokyo")),
  ]);
  stacks.forEach((stack, i) => report.equal(`no drift in ${stack} (moto gaps aside)`, plans[i], MOTO_DRIFT[stack] ?? {}));

  for (const format of ["bind", "unbound", "dnsmasq"] as const) {
    const result = onpremDns(["--format", format, "--outputs", "-"], () => outputs.stdout);
    const parsed = parse ? parse(format, result.stdout) : { status: 0, output: "(not parsed)" };
    report.check(
      `onprem-dns --format ${format} from the hub's terraform output -json${parse ? ", accepted by its parser" : ""}`,
      result.code === 0 && parsed.status === 0 && (result.stdout.match(/amazonaws\.com/g) ?? []).length >= 6 && result.stdout.includes("10.0.2.53"),
      result.code === 0 ? parsed.output.trim().split("\n")[0] ?? "" : result.stderr.trim(),
    );
  }

  report.equal("changing service_region plans a replacement", replacement, ["delete+create", "replace:service_region"]);
}

/**
 * service_region cannot be modified: the plan for the Tokyo endpoint with a service_region set. Planned
 * in a sibling copy of the stack directory (same relative state path, state not locked, nothing applied)
 * so it runs alongside the drift plans.
 */
async function serviceRegionChange(env: TerraformEnv, stackDir: string): Promise<string[] | undefined> {
  const copy = `${stackDir}-service-region`;
  fs.cpSync(stackDir, copy, { recursive: true });
  try {
    const file = path.join(copy, "cdk.tf.json");
    const stack = JSON.parse(fs.readFileSync(file, "utf8"));
    stack.resource.aws_vpc_endpoint["orders-api-tokyo"].service_region = "us-east-1";
    fs.writeFileSync(file, JSON.stringify(stack));
    const plan = await plannedChanges(env, copy, TERRAFORM_VARS, ["-lock=false"]);
    return plan["aws_vpc_endpoint.orders-api-tokyo"];
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

async function checkDestroyed(doc: Doc, url: string, creds: (account: string) => Promise<EmulatorCredentials>, proxy: MotoGapProxy, report: Report): Promise<void> {
  const account = (name: string) => doc.accounts[name].id as string;
  const hubVpc = doc.vpcs[doc.hubs.tokyo.vpc];
  const hubCreds = await creds(account(hubVpc.account));
  const route53 = new Route53Client({ region: "us-east-1", endpoint: url, credentials: hubCreds });
  report.equal("no hosted zone left", (await route53.send(new ListHostedZonesCommand({}))).HostedZones!.length, 0);
  report.equal("no authorization left", proxy.authorizationsLeft(), []);
  const resolver = new Route53ResolverClient({ region: hubVpc.region, endpoint: url, credentials: hubCreds });
  report.equal("no resolver endpoint left", (await resolver.send(new ListResolverEndpointsCommand({}))).ResolverEndpoints!.length, 0);
  const providerVpc = doc.vpcs[doc.privateLink["orders-api"].provider.vpc];
  const ownerCreds = await creds(account(providerVpc.account));
  report.equal("no load balancer left", (await new ElasticLoadBalancingV2Client({ region: providerVpc.region, endpoint: url, credentials: ownerCreds }).send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.length, 0);
  report.equal("no endpoint service left", (await new EC2Client({ region: providerVpc.region, endpoint: url, credentials: ownerCreds }).send(new DescribeVpcEndpointServiceConfigurationsCommand({}))).ServiceConfigurations!.length, 0);
  let left = 0;
  for (const vpc of Object.values<any>(doc.vpcs)) {
    const ec2 = new EC2Client({ region: vpc.region, endpoint: url, credentials: await creds(account(vpc.account)) });
    const found = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }] }))).VpcEndpoints!;
    left += found.filter((e) => String(e.State).toLowerCase() !== "deleted").length;
  }
  report.equal("no VPC endpoint left in any VPC", left, 0);
}

/** Zones (by name) a VPC is associated with, across the hub's zones. */
export async function zonesOfVpc(route53: Route53Client, vpcId: string): Promise<string[]> {
  const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones!;
  const names: string[] = [];
  for (const zone of zones) {
    const vpcs = (await route53.send(new GetHostedZoneCommand({ Id: zone.Id }))).VPCs ?? [];
    if (vpcs.some((v) => v.VPCId === vpcId)) names.push(zone.Name!.replace(/\.$/, ""));
  }
  return names.sort();
}

/**
 * Day two, with the product's command: remove the Osaka spoke and the hub's ssm service, plan (the
 * summary shows exactly their destroys, the disassociations included), deploy, check; restore, deploy,
 * check the full estate again.
 */
async function dayTwo(
  doc: Doc,
  topologyFile: string,
  creds: (account: string) => Promise<EmulatorCredentials>,
  proxy: MotoGapProxy,
  report: Report,
  privatelink: (label: string, args: string[]) => Promise<boolean>,
): Promise<void> {
  const hubVpc = doc.vpcs[doc.hubs.tokyo.vpc];
  const route53 = new Route53Client({ region: "us-east-1", endpoint: proxy.url, credentials: await creds(doc.accounts[hubVpc.account].id) });
  const osaka = doc.vpcs["app-osaka"].vpcId as string;
  const organization = doc.hubs.tokyo.endpointPolicy.organizationId as string;
  const tokyo = doc.vpcs["app-tokyo"].vpcId as string;
  const reduced = JSON.parse(JSON.stringify(doc));
  delete reduced.spokes["app-osaka"];
  reduced.hubs.tokyo.services = reduced.hubs.tokyo.services.filter((s: string) => s !== "ssm").map((s: string) => (s === "s3" ? { name: "s3", policyFile: "policies/s3.json" } : s));
  // S3's own policy: the organization's buckets, and the AWS-owned buckets SSM Agent reads.
  const s3PolicyFile = path.join(projectRoot(), "examples", "policies", "s3-with-ssm-buckets.json");
  fs.mkdirSync(path.join(path.dirname(topologyFile), "policies"), { recursive: true });
  fs.copyFileSync(s3PolicyFile, path.join(path.dirname(topologyFile), "policies", "s3.json"));
  fs.writeFileSync(topologyFile, JSON.stringify(reduced, null, 2));

  const summaryFile = path.join(path.dirname(topologyFile), "summary.json");
  const baseFile = path.join(path.dirname(topologyFile), "base-topology.json");
  fs.writeFileSync(baseFile, JSON.stringify(doc, null, 2));
  if (!(await privatelink("privatelink plan (spoke app-osaka and service ssm removed)", ["plan", "--summary-json", summaryFile, "--summary-md", `${summaryFile}.md`, "--cost-base", baseFile]))) return;
  const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
  // ssm's endpoint in the hub's AZs (0.014 per endpoint-AZ hour in Tokyo) and its zone (0.50) are gone;
  // the Osaka spoke cost nothing without declared traffic.
  const hubAzs = new Set(hubVpc.subnets.map((s: any) => s.az)).size;
  report.equal("plan summary: the change's monthly cost delta", [summary.cost?.deltaUsd, summary.cost?.perStack.filter((s: any) => s.beforeUsd !== s.afterUsd).map((s: any) => s.stack)], [-(Math.round(hubAzs * 730 * 0.014 * 100) / 100 + 0.5), ["hub-tokyo"]]);
  const ssm = "ssm_ap-northeast-1_amazonaws_com";
  report.equal("plan summary: exactly the removed spoke's and service's destroys", summary.destructive.map((d: any) => `${d.stack} ${d.action} ${d.address}`).sort(), [
    "hub-tokyo delete aws_route53_record." + ssm,
    "hub-tokyo delete aws_route53_zone." + ssm,
    "hub-tokyo delete aws_vpc_endpoint.ssm",
    "hub-tokyo delete aws_vpc_security_group_ingress_rule.tokyo-hub-endpoints_in_tcp_443_10_2_0_0_16",
    ...["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((z) => `spoke-app-osaka delete terraform_data.phz_${z}_ap-northeast-1_amazonaws_com[0]`),
    `spoke-app-tokyo delete terraform_data.phz_${ssm}[0]`,
  ].sort());
  report.equal(
    "plan summary: the disassociations (6 of the Osaka VPC, ssm of the Tokyo VPC), the hub's ingress from Osaka removed, S3's policy from its file",
    summary.network
      .map((n: any) => `${n.kind} ${n.change} ${n.kind === "zone-association" ? `${n.detail.split(" ")[0]} ${n.detail.includes(osaka) ? "osaka" : n.detail.includes(tokyo) ? "tokyo" : "?"}` : n.detail.replace(/ on \["arn:aws:s3:::aws-ssm-ap-northeast-1\/\*".*$/, " on (the SSM Agent buckets)")}`)
      .sort(),
    [
      `endpoint-policy changed com.amazonaws.ap-northeast-1.s3: Allow * * if aws:PrincipalOrgID=${organization}, aws:ResourceOrgID=${organization} -> Allow * s3:* if aws:PrincipalOrgID=o-a1b2c3d4e5, aws:ResourceOrgID=o-a1b2c3d4e5; Allow * s3:GetObject on (the SSM Agent buckets)`,
      "ingress removed tcp/443-443 from 10.2.0.0/16",
      ...["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssm", "ssmmessages"].map((z) => `zone-association removed ${z}.ap-northeast-1.amazonaws.com osaka`),
      "zone-association removed ssm.ap-northeast-1.amazonaws.com tokyo",
    ].sort(),
  );
  const untouched = summary.places.filter((s: any) => !["hub-tokyo", "spoke-app-osaka", "spoke-app-tokyo"].includes(s.stack));
  report.equal(
    "plan summary: untouched stacks plan no change (moto's known drift aside)",
    [summary.unchanged, untouched.map((s: any) => `${s.stack}:${s.counts.create}/${s.counts.update}/${s.counts.delete}/${s.counts.replace}`)],
    [["consumer-orders-api-tokyo", "consumer-orders-api-virginia"], [`service-orders-api:0/${Object.keys(MOTO_DRIFT["service-orders-api"]).length}/0/0`]],
  );

  if (!(await privatelink("privatelink deploy (removals)", ["deploy", "--auto-approve"]))) return;
  report.equal("removed spoke's VPC is associated with no hub zone", await zonesOfVpc(route53, osaka), []);
  report.equal("no authorization left after the removals", proxy.authorizationsLeft(), []);
  const remaining = ["ec2messages", "s3-accesspoint", "s3-control", "s3", "ssmmessages"].map((z) => `${z}.ap-northeast-1.amazonaws.com`);
  report.equal("the Tokyo spoke still joins every remaining zone", await zonesOfVpc(route53, tokyo), remaining);
  const ec2Hub = new EC2Client({ region: hubVpc.region, endpoint: proxy.url, credentials: await creds(doc.accounts[hubVpc.account].id) });
  const s3Policy = async () => {
    const found = (await ec2Hub.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [hubVpc.vpcId] }, { Name: "service-name", Values: ["com.amazonaws.ap-northeast-1.s3"] }] }))).VpcEndpoints!;
    return found.map((e) => sortedKeys(JSON.parse(e.PolicyDocument ?? "null")));
  };
  // The provider normalizes the document (its keys come back sorted): compared as data, key order aside.
  report.equal("S3 endpoint: the policy file's document, in place (same endpoint)", await s3Policy(), [sortedKeys(JSON.parse(fs.readFileSync(s3PolicyFile, "utf8")))]);
  const record = readEstate(path.join(path.dirname(topologyFile), "topology.estate.json"))!;
  report.equal("estate record: nothing retired is left once destroyed", [Object.keys(record.stacks).includes("spoke-app-osaka"), record.stacks["spoke-app-tokyo"].spoke?.retiredPairs ?? []], [false, []]);

  fs.writeFileSync(topologyFile, JSON.stringify(doc, null, 2));
  if (!(await privatelink("privatelink deploy (restored)", ["deploy", "--auto-approve"]))) return;
  const all = [...remaining, "ssm.ap-northeast-1.amazonaws.com"].sort();
  report.equal("restored: both spokes join every zone again", [await zonesOfVpc(route53, osaka), await zonesOfVpc(route53, tokyo)], [all, all]);
  report.equal("no authorization left after the restore", proxy.authorizationsLeft(), []);
  report.equal("restored: the S3 endpoint has the organization's policy again", (await s3Policy()).map((p: any) => p?.Statement?.[0]?.Sid), ["OrganizationOnly"]);
}

/** A DNS configuration parser (the tests pass the real ones: named-checkconf, unbound-checkconf, dnsmasq). */
export type DnsParser = (format: "bind" | "unbound" | "dnsmasq", text: string) => { status: number | null; output: string };

export interface E2eOptions {
  /** Checks the onprem-dns output with real parsers when given. */
  readonly parse?: DnsParser;
  /** Where progress goes (default: stdout). */
  readonly log?: (line: string) => void;
  /**
   * `fresh`: deploy, check, plan, destroy (the example's day one); `day-two`: deploy, remove a spoke and a
   * service, plan, deploy, restore, deploy, destroy; `all` (default, and the test): both on one deployment.
   */
  readonly scenario?: "fresh" | "day-two" | "all";
}

/** Runs the whole end-to-end scenario; the report lists every check. */
export async function runE2e(options: E2eOptions = {}): Promise<Report> {
  const report = new Report(options.log);
  const console = { log: report.log };
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-e2e-"));
  const logDir = path.join(workdir, "logs");
  fs.mkdirSync(logDir);
  let emulator: Emulator | undefined;
  const stop = async () => {
    await emulator?.stop();
  };
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const env = terraformEnv(path.join(workdir, "tf"));
    console.log(`e2e: terraform ${env.version}, hashicorp/aws ${env.providerVersions.join(", ")}; work directory ${workdir}`);
    emulator = await report.timed("start moto", () => startEmulator());
    const proxy = emulator.proxy;
    const creds = emulator.credentials;
    console.log(`e2e: moto_server on ${emulator.moto.url}, gap proxy on ${proxy.url}`);
    const doc = await report.timed("create the example's VPCs in moto", () => emulator!.prepare(readTopologyDoc(EXAMPLE)));
    doc.backend = { kind: "local", directory: path.join(path.relative(process.cwd(), workdir), "state") };
    const topologyFile = path.join(workdir, "topology.json");
    fs.writeFileSync(topologyFile, JSON.stringify(doc, null, 2));
    const outdir = path.join(workdir, "cdktf.out");
    // The product's own command, as a user runs it against `npm run emulator`.
    const runEnv: NodeJS.ProcessEnv = { ...process.env, ...TERRAFORM_VARS, TOPOLOGY: topologyFile, TARGET_ENDPOINT: proxy.url, TF_CLI_CONFIG_FILE: env.cliConfig, CDKTF_OUTDIR: outdir };
    const privatelink = async (label: string, args: string[]): Promise<boolean> => {
      const lines: string[] = [];
      const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
      const code = await report.timed(label, () => privatelinkMain(args, runEnv, io));
      const text = lines.join("");
      fs.writeFileSync(path.join(logDir, `${label.replace(/\W+/g, "-")}.log`), text);
      report.check(label, code === 0, code === 0 ? lastLines(text, 1) : lastLines(text, 20));
      return code === 0;
    };
    const deps = () => dependenciesOf(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")));

    const deployed = await privatelink("privatelink deploy (fresh)", ["deploy", "--auto-approve"]);
    console.log(`e2e: stacks and what they wait for: ${[...deps()].map(([s, d]) => `${s} <- [${d.join(", ")}]`).join("; ")}`);
    const scenario = options.scenario ?? "all";
    if (deployed && scenario !== "day-two") {
      await report.timed("checks after deploy", () => checkDeployed(doc, proxy.url, creds, proxy, report, path.join(outdir, "logs", "deploy")));
      await report.timed("plans after deploy", () => checkPlans(env, outdir, [...deps().keys()], report, options.parse));
    }
    if (deployed && scenario !== "fresh") {
      await report.timed("day two", () => dayTwo(doc, topologyFile, creds, proxy, report, privatelink));
    }
    const destroyed = await privatelink("privatelink destroy", ["destroy", "--auto-approve"]);
    if (destroyed) await report.timed("checks after destroy", () => checkDestroyed(doc, proxy.url, creds, proxy, report));
    console.log("e2e: moto gaps filled by the proxy:");
    const counts = new Map<string, number>();
    for (const h of proxy.handled) counts.set(h.operation, (counts.get(h.operation) ?? 0) + 1);
    for (const [operation, count] of counts) console.log(`  ${operation}: ${count}`);
  } catch (error) {
    report.check("e2e harness", false, (error as Error).stack ?? String(error));
  } finally {
    await stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  console.log("e2e: timings");
  for (const [label, seconds] of report.timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${label}`);
  const failed = report.failed;
  if (failed.length === 0) {
    fs.rmSync(workdir, { recursive: true, force: true });
    console.log(`e2e: ${report.checks.length}/${report.checks.length} checks passed in ${report.seconds.toFixed(0)} s`);
  } else {
    console.log(`e2e: ${report.checks.length - failed.length}/${report.checks.length} checks passed in ${report.seconds.toFixed(0)} s; logs kept in ${logDir}`);
  }
  return report;
}

if (require.main === module) {
  const arg = process.argv.find((a) => a.startsWith("--scenario="))?.slice("--scenario=".length);
  if (arg !== undefined && arg !== "fresh" && arg !== "day-two" && arg !== "all") {
    process.stderr.write(`e2e: --scenario is fresh, day-two or all, not "${arg}"\n`);
    process.exit(2);
  }
  runE2e({ scenario: arg as E2eOptions["scenario"] }).then((report) => process.exit(report.failed.length === 0 ? 0 : 1));
}

/** A JSON value with every object's keys in order (documents compared as data). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]));
  return value;
}
