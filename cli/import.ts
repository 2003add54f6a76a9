/**
 * `privatelink import --accounts FILE --regions LIST --out TOPOLOGY`: adopts an estate built by hand (the
 * source articles' console procedures) or by other tools, with zero recreation.
 *
 * 1. Discovery, read-only (Describe, List and Get calls), through each account's deploy role, paced: Route 53
 *    at 4 requests/s per account (AWS allows 5), the others retried adaptively on throttling.
 * 2. Recognition of this product's patterns: a hub (interface endpoints with private DNS off whose names are
 *    resolved by private zones with alias records to them), its spokes (VPCs of the listed accounts associated
 *    with those zones), its Resolver inbound endpoint (pinned addresses, on-prem networks read from its
 *    security group's DNS rules), the security groups of both (adopted, not recreated: the product manages
 *    their rules for the hub's clients and leaves the others).
 * 3. The topology is written, validated, and synthesized in memory; each adopted resource is matched to the
 *    address synth gives it (synth is the only owner of addresses), and `<topology>.imports.json` lists them:
 *    synth turns it into `import` blocks.
 * 4. A report (Markdown on stdout, `--report-json`) of what was adopted, what the first plan will still create
 *    or change, what is left alone (not managed), and standing authorizations (removed by the first deploy).
 *
 * PrivateLink services of this product's shape are adopted too: an endpoint service in front of one internal
 * NLB with TCP listeners forwarding to TCP target groups of instance or IP targets, with the consumers'
 * interface endpoints in listed accounts and their accepted connections. What AWS fixes at creation (the
 * load balancer's and target groups' names, whether the load balancer has a security group) is written into
 * the topology as built (`provider.loadBalancer`), so nothing is replaced. The adopted services' outputs
 * (service name and id) go into the imports file: their consumers plan against the real values before the
 * service's stack is applied. Other shapes (gateway load balancers, TLS or UDP listeners, several load
 * balancers per service) are reported and left alone.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointConnectionsCommand,
  DescribeVpcEndpointServiceConfigurationsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  SecurityGroupRule,
  VpcEndpoint,
} from "@aws-sdk/client-ec2";
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, ListVPCAssociationAuthorizationsCommand, ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import { ListResolverEndpointIpAddressesCommand, ListResolverEndpointsCommand, Route53ResolverClient } from "@aws-sdk/client-route53resolver";
import { Document, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { elbName, tfName } from "../aws/names";
import { globalRegionOf, partitionOf } from "../aws/partitions";
import { KNOWN_REGIONS } from "../aws/regions";
import { parseServiceName, planServiceDns } from "../aws/service-catalog";
import { AccountSchema, NAME_PATTERN } from "../topology/schema";
import { lineOf, loadTopologyText } from "../topology/load";
import { writeFileAtomic } from "../topology/files";
import { formatProblem, Problem, TopologyError } from "../topology/problems";
import { importsFileFor, ImportEntry, IMPORTS_VERSION, writeImports } from "../synth/imports";
import { synthesizeConfigs } from "../synth/synthesize";
import { SERVICE_OUTPUTS } from "../stacks/provider-stack";
import { CommandSpec, FlagSpec, inputText, outputPath, Parsed, stringFlag, switchFlag, UsageError } from "./kit";
import { Io } from "./operate";
import { assumeRole, AwsCredentials, clientSettings } from "./aws-clients";

export const IMPORT_FLAGS: readonly FlagSpec[] = [
  { name: "--accounts", value: "FILE", path: "read-file", help: "YAML with an accounts: section as a topology has it (ids and deploy role ARNs)" },
  { name: "--regions", value: "LIST", help: "the regions to search, comma-separated (default: regions: in the accounts file)" },
  { name: "--out", value: "TOPOLOGY", path: "write-file", help: "the topology to write; <stem>.imports.json is written next to it" },
  { name: "--report-json", value: "FILE", path: "write-file", help: "also write the report as JSON" },
  { name: "--association", value: "MODE", choices: ["script", "native"], help: "how the spokes' associations are kept: script (default; an associated pair is a no-op) or native (aws_route53_zone_association imported)" },
  { name: "--name", value: "NAME", help: "the topology's name (default: the --out file's stem)" },
  { name: "--force", help: "replace an existing --out topology and its imports file (refused otherwise: a reviewed topology is not overwritten by accident)" },
];

const accountsFileSchema = z.strictObject({
  accounts: z.record(z.string().regex(NAME_PATTERN, { error: "account names use lowercase letters, digits and hyphens, start with a letter, at most 40 characters" }), AccountSchema),
  regions: z.array(z.string()).min(1).optional(),
});

/** Bad input found in the accounts file or with its roles: located problems, exit 2, nothing written. */
export class ImportInputError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"} found; nothing was written.\n${problems.map(formatProblem).join("\n")}`);
    this.name = "ImportInputError";
  }
}

/** The AWS default endpoint policy: full access (what a hand-built endpoint has unless someone set one). */
function isDefaultPolicy(policy: string | undefined): boolean {
  if (!policy) return true;
  try {
    const doc = JSON.parse(policy);
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    return statements.length === 1 && statements[0].Effect === "Allow" && statements[0].Principal === "*" && statements[0].Action === "*" && statements[0].Resource === "*" && !statements[0].Condition;
  } catch {
    return false;
  }
}

export interface Account {
  readonly name: string;
  readonly id: string;
  readonly deployRoleArn: string;
}

export interface Found {
  readonly account: Account;
  readonly region: string;
  readonly vpcs: Array<{ id: string; cidr: string; name?: string; subnets: Array<{ id: string; az: string; azId?: string; cidr: string }> }>;
  readonly endpoints: VpcEndpoint[];
  readonly rules: SecurityGroupRule[];
  readonly resolvers: Array<{ id: string; name?: string; direction: string; vpcId: string; securityGroupIds: string[]; ips: Array<{ subnet: string; ip: string }> }>;
  readonly endpointServices: Array<{
    id: string;
    name?: string;
    /** Name tag. */
    tag?: string;
    acceptance: boolean;
    nlbs: string[];
    gwlbs: number;
    principals: string[];
    supportedRegions: string[];
    privateDnsName?: string;
    connections: Array<{ endpointId: string; owner: string; state: string }>;
  }>;
  readonly loadBalancers: Array<{
    arn: string;
    name: string;
    type: string;
    scheme: string;
    vpcId: string;
    securityGroups: string[];
    subnets: string[];
    /** Read for the load balancers behind endpoint services only. */
    listeners?: Array<{ arn: string; port: number; protocol: string; forwardTo?: string }>;
    targetGroups?: Array<{ arn: string; name: string; port: number; protocol: string; type: string; targets: string[] }>;
  }>;
}

export interface Zone {
  readonly account: Account;
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
  readonly vpcs: Array<{ id: string; region: string }>;
  readonly records: ResourceRecordSet[];
  readonly authorizations: Array<{ id: string; region: string }>;
}

export interface ImportReport {
  readonly topology: string;
  readonly importsFile: string;
  /** Imports by stack: address -> id. */
  readonly adopted: Array<{ stack: string; address: string; id: string; what: string }>;
  /** What the first plan will create or change besides the imports. */
  readonly firstPlan: string[];
  /** Found and left alone. */
  readonly notManaged: string[];
  /** Standing VPC association authorizations (the first deploy removes those no spoke needs). */
  readonly authorizations: string[];
  /** Account/regions where nothing was found. */
  readonly empty: string[];
  /** Choices made, also written as comments in the topology. */
  readonly choices: string[];
  /** API calls made, per account. */
  readonly calls: Record<string, number>;
  readonly seconds: number;
}

/** Spacing between calls of one kind per account: Route 53's 5 requests/s, kept at 4. */
class Pacer {
  private next = new Map<string, number>();
  constructor(private readonly gapMs: number) {}
  async wait(key: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + this.gapMs);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

function sanitize(text: string, fallback: string): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return NAME_PATTERN.test(cleaned) ? cleaned : fallback;
}

function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let i = 2; taken.has(name); i++) name = `${wanted.slice(0, 36)}-${i}`;
  taken.add(name);
  return name;
}

/** Reads and checks the accounts file: located problems are an ImportInputError (exit 2). */
function readAccounts(file: string, text: string): { accounts: Account[]; regions?: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ImportInputError(file, doc.errors.map((e) => ({ path: [], line: lineCounter.linePos(e.pos[0]).line, message: `YAML syntax error: ${e.message.split("\n")[0]}` })));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias bomb (a few lines expanding to millions of nodes) stops here, as in a topology.
    throw new ImportInputError(file, [{ path: [], line: 1, message: `cannot be read: ${(error as Error).message.split("\n")[0]}` }]);
  }
  const parsed = accountsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ImportInputError(
      file,
      parsed.error.issues.map((i) => ({ path: i.path as Array<string | number>, message: i.message, line: lineOf(doc, lineCounter, i.path as Array<string | number>) })),
    );
  }
  const problems: Problem[] = [];
  const ids = new Map<string, string>();
  for (const [name, a] of Object.entries(parsed.data.accounts)) {
    const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(a.deployRoleArn)?.[1];
    if (roleAccount !== a.id) problems.push({ path: ["accounts", name, "deployRoleArn"], message: `is a role of account ${roleAccount}, not of ${a.id}`, line: lineOf(doc, lineCounter, ["accounts", name, "deployRoleArn"]) });
    if (ids.has(a.id)) problems.push({ path: ["accounts", name, "id"], message: `${a.id} is also account ${ids.get(a.id)}`, line: lineOf(doc, lineCounter, ["accounts", name, "id"]) });
    ids.set(a.id, name);
  }
  for (const [i, r] of (parsed.data.regions ?? []).entries()) {
    if (!KNOWN_REGIONS.has(r)) problems.push({ path: ["regions", i], message: `${JSON.stringify(r)} is not a region this release knows`, line: lineOf(doc, lineCounter, ["regions", i]) });
  }
  if (Object.keys(parsed.data.accounts).length === 0) problems.push({ path: ["accounts"], message: "lists no account", line: lineOf(doc, lineCounter, ["accounts"]) });
  if (problems.length > 0) throw new ImportInputError(file, problems);
  return { accounts: Object.entries(parsed.data.accounts).map(([name, a]) => ({ name, id: a.id, deployRoleArn: a.deployRoleArn })), regions: parsed.data.regions };
}

class Discovery {
  readonly calls: Record<string, number> = {};
  private readonly route53Pacer = new Pacer(250);
  private readonly credentials = new Map<string, Promise<AwsCredentials>>();

  constructor(
    private readonly endpoint: string | undefined,
    private readonly progress: (line: string) => void,
  ) {}

  private settings(region: string, credentials?: AwsCredentials) {
    return clientSettings(this.endpoint, region, { credentials, maxAttempts: 8, adaptive: true });
  }

  private count(account: Account, n = 1): void {
    this.calls[account.name] = (this.calls[account.name] ?? 0) + n;
  }

  assume(account: Account, region: string) {
    let pending = this.credentials.get(account.name);
    if (!pending) {
      this.count(account);
      pending = assumeRole(this.endpoint, account.deployRoleArn, "privatelink-import", region, { durationSeconds: 3600, maxAttempts: 8 });
      this.credentials.set(account.name, pending);
    }
    return pending;
  }

  async regional(account: Account, region: string): Promise<Found> {
    const credentials = await this.assume(account, region);
    const ec2 = new EC2Client(this.settings(region, credentials));
    const call = async <T>(fn: () => Promise<T>): Promise<T> => {
      this.count(account);
      return fn();
    };
    const vpcsOut = await call(() => ec2.send(new DescribeVpcsCommand({})));
    const subnetsOut = await call(() => ec2.send(new DescribeSubnetsCommand({})));
    const vpcs = (vpcsOut.Vpcs ?? [])
      .filter((v) => v.VpcId && v.CidrBlock)
      .map((v) => ({
        id: v.VpcId!,
        cidr: v.CidrBlock!,
        name: v.Tags?.find((t) => t.Key === "Name")?.Value,
        subnets: (subnetsOut.Subnets ?? [])
          .filter((s) => s.VpcId === v.VpcId && s.SubnetId && s.AvailabilityZone && s.CidrBlock)
          .map((s) => ({ id: s.SubnetId!, az: s.AvailabilityZone!, ...(s.AvailabilityZoneId ? { azId: s.AvailabilityZoneId } : {}), cidr: s.CidrBlock! }))
          .sort((a, b) => a.az.localeCompare(b.az) || a.cidr.localeCompare(b.cidr)),
      }));
    const endpoints: VpcEndpoint[] = [];
    let token: string | undefined;
    do {
      const out = await call(() => ec2.send(new DescribeVpcEndpointsCommand({ NextToken: token })));
      endpoints.push(...(out.VpcEndpoints ?? []).filter((e) => !/deleted|deleting|rejected|failed/i.test(String(e.State))));
      token = out.NextToken;
    } while (token);
    const groupIds = [...new Set(endpoints.flatMap((e) => (e.Groups ?? []).map((g) => g.GroupId!)).filter(Boolean))];
    // Endpoint services and the load balancers behind them, in detail (the others are only listed).
    const serviceList = (await call(() => ec2.send(new DescribeVpcEndpointServiceConfigurationsCommand({})))).ServiceConfigurations ?? [];
    const elb = new ElasticLoadBalancingV2Client(this.settings(region, credentials));
    const lbs = (await call(() => elb.send(new DescribeLoadBalancersCommand({})))).LoadBalancers ?? [];
    const connections = serviceList.length > 0 ? ((await call(() => ec2.send(new DescribeVpcEndpointConnectionsCommand({})))).VpcEndpointConnections ?? []) : [];
    const endpointServices: Found["endpointServices"] = [];
    for (const svc of serviceList) {
      if (!svc.ServiceId) continue;
      const permissions = (await call(() => ec2.send(new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: svc.ServiceId })))).AllowedPrincipals ?? [];
      endpointServices.push({
        id: svc.ServiceId,
        name: svc.ServiceName,
        tag: svc.Tags?.find((t) => t.Key === "Name")?.Value,
        acceptance: svc.AcceptanceRequired ?? false,
        nlbs: svc.NetworkLoadBalancerArns ?? [],
        gwlbs: (svc.GatewayLoadBalancerArns ?? []).length,
        principals: permissions.map((p) => p.Principal ?? "").filter(Boolean).sort(),
        supportedRegions: (svc.SupportedRegions ?? []).map((r) => r.Region ?? "").filter(Boolean).sort(),
        privateDnsName: svc.PrivateDnsName,
        connections: connections.filter((c) => c.ServiceId === svc.ServiceId && c.VpcEndpointId).map((c) => ({ endpointId: c.VpcEndpointId!, owner: c.VpcEndpointOwner ?? "", state: String(c.VpcEndpointState) })),
      });
    }
    const behindServices = new Set(endpointServices.flatMap((x) => x.nlbs));
    const loadBalancers: Found["loadBalancers"] = [];
    for (const l of lbs) {
      if (!l.LoadBalancerArn) continue;
      const lb: Found["loadBalancers"][number] = {
        arn: l.LoadBalancerArn,
        name: l.LoadBalancerName ?? "",
        type: String(l.Type),
        scheme: String(l.Scheme),
        vpcId: l.VpcId ?? "",
        securityGroups: l.SecurityGroups ?? [],
        subnets: (l.AvailabilityZones ?? []).map((z) => z.SubnetId ?? "").filter(Boolean).sort(),
      };
      if (behindServices.has(lb.arn)) {
        const listeners = (await call(() => elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.arn })))).Listeners ?? [];
        lb.listeners = listeners
          .filter((x) => x.ListenerArn && x.Port)
          .map((x) => {
            const forward = (x.DefaultActions ?? []).length === 1 && x.DefaultActions![0].Type === "forward" ? x.DefaultActions![0] : undefined;
            const forwardTo = forward?.TargetGroupArn ?? (forward?.ForwardConfig?.TargetGroups?.length === 1 ? forward.ForwardConfig.TargetGroups[0].TargetGroupArn : undefined);
            return { arn: x.ListenerArn!, port: x.Port!, protocol: String(x.Protocol), forwardTo };
          });
        const groups = (await call(() => elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.arn })))).TargetGroups ?? [];
        lb.targetGroups = [];
        for (const g of groups) {
          if (!g.TargetGroupArn) continue;
          const health = (await call(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn })))).TargetHealthDescriptions ?? [];
          lb.targetGroups.push({ arn: g.TargetGroupArn, name: g.TargetGroupName ?? "", port: g.Port ?? 0, protocol: String(g.Protocol), type: String(g.TargetType), targets: [...new Set(health.map((h) => h.Target?.Id ?? "").filter(Boolean))].sort() });
        }
        groupIds.push(...lb.securityGroups);
      }
      loadBalancers.push(lb);
    }
    const resolverClient = new Route53ResolverClient(this.settings(region, credentials));
    const resolverList = (await call(() => resolverClient.send(new ListResolverEndpointsCommand({ MaxResults: 100 })))).ResolverEndpoints ?? [];
    const resolvers: Found["resolvers"] = [];
    for (const r of resolverList) {
      if (!r.Id || !r.HostVPCId) continue;
      const ips = (await call(() => resolverClient.send(new ListResolverEndpointIpAddressesCommand({ ResolverEndpointId: r.Id, MaxResults: 10 })))).IpAddresses ?? [];
      resolvers.push({ id: r.Id, name: r.Name, direction: String(r.Direction), vpcId: r.HostVPCId, securityGroupIds: r.SecurityGroupIds ?? [], ips: ips.filter((i) => i.SubnetId && i.Ip).map((i) => ({ subnet: i.SubnetId!, ip: i.Ip! })) });
      groupIds.push(...(r.SecurityGroupIds ?? []));
    }
    const rules: SecurityGroupRule[] = [];
    if (groupIds.length > 0) {
      let next: string | undefined;
      do {
        const out = await call(() => ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [...new Set(groupIds)] }], NextToken: next })));
        rules.push(...(out.SecurityGroupRules ?? []));
        next = out.NextToken;
      } while (next);
    }
    const found: Found = {
      account,
      region,
      vpcs,
      endpoints,
      rules,
      resolvers,
      endpointServices,
      loadBalancers,
    };
    this.progress(`import: ${account.name} (${account.id}) ${region}: ${vpcs.length} VPC(s), ${endpoints.length} endpoint(s), ${resolvers.length} resolver endpoint(s), ${found.endpointServices.length} endpoint service(s), ${found.loadBalancers.length} load balancer(s)\n`);
    return found;
  }

  /** Every hosted zone of the account with its VPCs, records and authorizations (private zones only in detail). */
  async zones(account: Account, anyRegion: string): Promise<Zone[]> {
    const credentials = await this.assume(account, anyRegion);
    const route53 = new Route53Client(this.settings(globalRegionOf(anyRegion), credentials));
    const call = async <T>(fn: () => Promise<T>): Promise<T> => {
      await this.route53Pacer.wait(account.name);
      this.count(account);
      return fn();
    };
    const zones: Zone[] = [];
    let marker: string | undefined;
    const listed = [];
    do {
      const out = await call(() => route53.send(new ListHostedZonesCommand({ Marker: marker })));
      listed.push(...(out.HostedZones ?? []));
      marker = out.IsTruncated ? out.NextMarker : undefined;
    } while (marker);
    for (const z of listed) {
      const id = (z.Id ?? "").replace(/^\/hostedzone\//, "");
      const name = (z.Name ?? "").replace(/\.$/, "");
      if (!z.Config?.PrivateZone) {
        zones.push({ account, id, name, private: false, vpcs: [], records: [], authorizations: [] });
        continue;
      }
      const detail = await call(() => route53.send(new GetHostedZoneCommand({ Id: id })));
      const records: ResourceRecordSet[] = [];
      let start: { name?: string; type?: string } | undefined = {};
      while (start) {
        const out = await call(() => route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordName: start!.name, StartRecordType: start!.type as never })));
        records.push(...(out.ResourceRecordSets ?? []));
        start = out.IsTruncated ? { name: out.NextRecordName, type: out.NextRecordType } : undefined;
      }
      const authorizations = (await call(() => route53.send(new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: id })))).VPCs ?? [];
      zones.push({
        account,
        id,
        name,
        private: true,
        vpcs: (detail.VPCs ?? []).filter((v) => v.VPCId).map((v) => ({ id: v.VPCId!, region: String(v.VPCRegion) })),
        records,
        authorizations: authorizations.filter((v) => v.VPCId).map((v) => ({ id: v.VPCId!, region: String(v.VPCRegion) })),
      });
    }
    this.progress(`import: ${account.name} (${account.id}) Route 53: ${zones.length} hosted zone(s)\n`);
    return zones;
  }
}

const unquoteDot = (name: string) => name.replace(/\\052/g, "*").replace(/\.$/, "").toLowerCase();

/** What recognition makes of the discovered estate. */
interface Recognized {
  readonly doc: Record<string, any>;
  /** [path in doc, comment] */
  readonly comments: Array<[Array<string | number>, string]>;
  /** Policy files to write next to the topology: relative path -> JSON text. */
  readonly policies: Map<string, string>;
  readonly report: Pick<ImportReport, "firstPlan" | "notManaged" | "authorizations" | "empty" | "choices">;
  /** Adopted objects, matched against the synthesized stacks afterwards. */
  readonly hubs: Array<{
    stack: string;
    endpoints: Map<string, VpcEndpoint>;
    zones: Map<string, Zone>;
    groupId?: string;
    resolver?: { id: string; groupId?: string };
    rules: SecurityGroupRule[];
    spokes: Array<{ stack: string; vpcId: string; zones: Zone[] }>;
  }>;
  /** Adopted PrivateLink services (NLB, listeners, target groups, endpoint service) and their consumers. */
  readonly services: Array<{
    stack: string;
    serviceId: string;
    lb: Found["loadBalancers"][number];
    groupId?: string;
    rules: SecurityGroupRule[];
    consumers: Array<{ stack: string; endpointId: string; groupId?: string; rules: SecurityGroupRule[]; accepter?: string }>;
  }>;
  /** Outputs the adopted service stacks will have (their consumers read them until the stacks are applied). */
  readonly outputs: Record<string, Record<string, string>>;
}

/** The security group rules of one group covering a TCP port, from IPv4 CIDRs. */
const tcpSources = (rules: readonly SecurityGroupRule[], groupId: string | undefined, port: number): string[] =>
  rules.filter((r) => r.GroupId === groupId && !r.IsEgress && r.CidrIpv4 && (r.IpProtocol === "tcp" || r.IpProtocol === "6") && (r.FromPort ?? 0) <= port && (r.ToPort ?? 0) >= port).map((r) => r.CidrIpv4!);

/** Exported for its tests: discovery results in, topology document and report out (no AWS call). */
export function recognize(accounts: readonly Account[], found: readonly Found[], zones: readonly Zone[], name: string, association: "script" | "native"): Recognized {
  const doc: Record<string, any> = { name, description: "Adopted by privatelink import", backend: { kind: "local" }, accounts: {}, vpcs: {}, hubs: {} };
  const comments: Recognized["comments"] = [];
  const policies = new Map<string, string>();
  const report: Recognized["report"] = { firstPlan: [], notManaged: [], authorizations: [], empty: [], choices: [] };
  const hubs: Recognized["hubs"] = [];
  const vpcNames = new Set<string>();
  const hubNames = new Set<string>();
  const vpcIndex = new Map<string, { found: Found; vpc: Found["vpcs"][number] }>();
  for (const f of found) for (const vpc of f.vpcs) vpcIndex.set(vpc.id, { found: f, vpc });
  const vpcName = new Map<string, string>();
  const declareVpc = (vpcId: string): string => {
    const known = vpcName.get(vpcId);
    if (known) return known;
    const { found: f, vpc } = vpcIndex.get(vpcId)!;
    const key = uniqueName(sanitize(vpc.name ?? "", `vpc-${f.region}`), vpcNames);
    doc.accounts[f.account.name] = { id: f.account.id, deployRoleArn: f.account.deployRoleArn };
    doc.vpcs[key] = { account: f.account.name, region: f.region, vpcId: vpc.id, cidr: vpc.cidr, subnets: vpc.subnets.map((s) => ({ ...s })) };
    vpcName.set(vpcId, key);
    return key;
  };
  const usedZones = new Set<string>();
  const usedEndpoints = new Set<string>();
  const usedResolvers = new Set<string>();

  for (const f of found) {
    // Hub candidates: interface endpoints to AWS services, private DNS off, grouped by VPC.
    const byVpc = new Map<string, VpcEndpoint[]>();
    for (const e of f.endpoints) {
      if (e.VpcEndpointType !== "Interface" || e.PrivateDnsEnabled || !e.VpcId || !e.ServiceName) continue;
      const parsed = parseServiceName(e.ServiceName, f.region);
      if (!parsed.ok) continue;
      if (!byVpc.has(e.VpcId)) byVpc.set(e.VpcId, []);
      byVpc.get(e.VpcId)!.push(e);
    }
    for (const [vpcId, endpoints] of byVpc) {
      if (!vpcIndex.has(vpcId)) continue;
      const accountZones = zones.filter((z) => z.private && z.account.name === f.account.name && z.vpcs.some((v) => v.id === vpcId));
      const services: Array<{ short: string; endpoint: VpcEndpoint; zones: Zone[] }> = [];
      for (const e of endpoints) {
        const short = (parseServiceName(e.ServiceName!, f.region) as { short: string }).short;
        const dnsNames = new Set((e.DnsEntries ?? []).map((d) => (d.DnsName ?? "").toLowerCase()));
        const plan = planServiceDns(short, f.region);
        const planned = new Set(plan.zones.map((z) => z.name));
        // Zones that resolve this endpoint: an alias record to one of its DNS names.
        const resolving = accountZones.filter((z) => z.records.some((r) => r.AliasTarget?.DNSName && dnsNames.has(unquoteDot(r.AliasTarget.DNSName))));
        if (resolving.length === 0) continue;
        const matching = resolving.filter((z) => planned.has(z.name));
        for (const z of resolving.filter((z) => !planned.has(z.name))) {
          report.notManaged.push(`zone ${z.name} (${z.id}) in ${f.account.name}: resolves ${short}'s endpoint ${e.VpcEndpointId} but is not a name ${short} uses (${[...planned].join(", ")}); left alone`);
        }
        services.push({ short, endpoint: e, zones: matching });
      }
      if (services.length === 0) continue;
      const vpcKey = declareVpc(vpcId);
      const hubName = uniqueName(sanitize(vpcIndex.get(vpcId)!.vpc.name?.replace(/^hub-?/, "") ?? "", `hub-${f.region}`), hubNames);
      const stack = `hub-${hubName}`;
      const hub: Record<string, any> = { vpc: vpcKey };
      const subnets = [...new Set(services.flatMap((s) => s.endpoint.SubnetIds ?? []))].sort();
      const vpcSubnets = vpcIndex.get(vpcId)!.vpc.subnets.map((s) => s.id);
      if (subnets.length > 0 && subnets.length < vpcSubnets.length) hub.subnets = subnets;
      hub.services = services.map((s) => s.short);
      const serviceEntries: any[] = [];
      for (const s of services) {
        usedEndpoints.add(s.endpoint.VpcEndpointId!);
        s.zones.forEach((z) => usedZones.add(z.id));
        if (!isDefaultPolicy(s.endpoint.PolicyDocument)) {
          const file = `policies/${hubName}-${s.short}.json`;
          policies.set(file, `${JSON.stringify(JSON.parse(s.endpoint.PolicyDocument!), null, 2)}\n`);
          serviceEntries.push({ name: s.short, policyFile: file });
          report.choices.push(`hub ${hubName}: ${s.short}'s endpoint policy kept in ${file}`);
        } else {
          serviceEntries.push(s.short);
        }
        const plan = planServiceDns(s.short, f.region);
        for (const zp of plan.zones) {
          const zone = s.zones.find((z) => z.name === zp.name);
          if (!zone) {
            report.firstPlan.push(`hub ${hubName}: creates zone ${zp.name} (${s.short} uses it; none was found) and its records`);
            continue;
          }
          const regionalName = (s.endpoint.DnsEntries?.[0]?.DnsName ?? "").toLowerCase();
          for (const recordName of zp.recordNames) {
            const record = zone.records.find((r) => unquoteDot(r.Name ?? "") === recordName && r.Type === "A");
            if (!record) report.firstPlan.push(`hub ${hubName}: creates record ${recordName} A (alias to ${s.short}'s endpoint) in ${zp.name}`);
            else if (!record.AliasTarget || unquoteDot(record.AliasTarget.DNSName ?? "") !== regionalName) {
              report.firstPlan.push(`hub ${hubName}: changes record ${recordName} A in ${zp.name} to an alias of ${s.short}'s regional DNS name (it points to ${record.AliasTarget?.DNSName ?? (record.ResourceRecords ?? []).map((r) => r.Value).join(", ")})`);
            }
          }
          for (const r of zone.records) {
            const rn = unquoteDot(r.Name ?? "");
            if (r.Type === "SOA" || r.Type === "NS" || (r.Type === "A" && zp.recordNames.includes(rn))) continue;
            report.notManaged.push(`record ${rn} ${r.Type} in zone ${zp.name}: left alone`);
          }
        }
      }
      hub.services = serviceEntries;
      // Security group of the endpoints: adopted when they share one.
      const groupSets = services.map((s) => new Set((s.endpoint.Groups ?? []).map((g) => g.GroupId!)));
      const common = [...groupSets[0]].filter((g) => groupSets.every((set) => set.has(g))).sort();
      const groupId = common[0];
      if (groupId) {
        hub.securityGroupId = groupId;
        if (common.length > 1 || groupSets.some((set) => set.size > 1)) {
          report.choices.push(`hub ${hubName}: security group ${groupId} adopted for the endpoints; the endpoints' other groups are removed from them by the first plan`);
          comments.push([["hubs", hubName, "securityGroupId"], `chosen among ${[...new Set(groupSets.flatMap((s) => [...s]))].join(", ")}`]);
        }
      } else {
        report.firstPlan.push(`hub ${hubName}: the endpoints share no security group: the first plan creates one and puts it on every endpoint (in place)`);
      }
      const vpcCidr = vpcIndex.get(vpcId)!.vpc.cidr;
      const httpsCidrs = tcpSources(f.rules, groupId, 443);

      // Spokes: VPCs of listed accounts associated with the adopted zones.
      const hubZones = services.flatMap((s) => s.zones);
      const spokeVpcs = new Map<string, Zone[]>();
      for (const z of hubZones) {
        for (const v of z.vpcs) {
          if (v.id === vpcId) continue;
          if (!vpcIndex.has(v.id)) {
            report.notManaged.push(`VPC ${v.id} (${v.region}) associated with zone ${z.name}: not in a listed account and region; its association is left alone`);
            continue;
          }
          if (!spokeVpcs.has(v.id)) spokeVpcs.set(v.id, []);
          spokeVpcs.get(v.id)!.push(z);
        }
        for (const a of z.authorizations) report.authorizations.push(`zone ${z.name} (${z.id}) authorizes VPC ${a.id} (${a.region}): the first privatelink deploy deletes it once no spoke needs it`);
      }
      const spokes: Recognized["hubs"][number]["spokes"] = [];
      doc.spokes ??= {};
      for (const [spokeVpc, joined] of spokeVpcs) {
        const key = declareVpc(spokeVpc);
        const spokeName = uniqueName(key, new Set(Object.keys(doc.spokes)));
        // The hub named always: with a second hub found later, "the only hub" would no longer hold.
        doc.spokes[spokeName] = { vpc: key, hub: hubName, ...(association === "native" ? { association: "native" } : {}) };
        spokes.push({ stack: `spoke-${spokeName}`, vpcId: spokeVpc, zones: joined });
        const missing = hubZones.filter((z) => !joined.includes(z)).map((z) => z.name);
        if (missing.length > 0) report.firstPlan.push(`spoke ${spokeName}: associates ${missing.join(", ")} (not associated yet)`);
        if (association === "native" && vpcIndex.get(spokeVpc)!.found.account.name !== f.account.name) {
          report.firstPlan.push(`spoke ${spokeName}: creates an authorization per zone (native mode keeps them: aws_route53_vpc_association_authorization)`);
        }
        if (association === "script") report.firstPlan.push(`spoke ${spokeName}: runs the handshake for ${joined.length} associated zone(s): no-ops (already associated), recorded in its state`);
        const extra = vpcIndex.get(spokeVpc)!.vpc.cidr;
        if (!httpsCidrs.includes(extra)) report.firstPlan.push(`hub ${hubName}: adds a 443 rule from spoke ${spokeName} (${extra})`);
      }
      if (Object.keys(doc.spokes).length === 0) delete doc.spokes;

      // Resolver inbound endpoint of the hub VPC: pinned addresses, on-prem networks from its DNS rules.
      let resolver: { id: string; groupId?: string } | undefined;
      const inbound = f.resolvers.filter((r) => r.vpcId === vpcId && r.direction === "INBOUND");
      if (inbound.length > 1) report.notManaged.push(...inbound.slice(1).map((r) => `Resolver inbound endpoint ${r.id}: a second one in ${vpcKey}; left alone`));
      const r = inbound[0];
      if (r) {
        const rg = r.securityGroupIds[0];
        const dnsCidrs = [...new Set(f.rules.filter((x) => x.GroupId === rg && !x.IsEgress && x.CidrIpv4 && (x.FromPort ?? 0) <= 53 && (x.ToPort ?? 0) >= 53).map((x) => x.CidrIpv4!))].sort();
        const onPrem = dnsCidrs.filter((c) => c !== vpcCidr);
        if (onPrem.length === 0) {
          report.notManaged.push(`Resolver inbound endpoint ${r.id}: its security group admits DNS from no network outside the hub VPC, so no on-premises network could be read from it; left alone`);
        } else {
          usedResolvers.add(r.id);
          resolver = { id: r.id, groupId: rg };
          hub.resolver = { ipAddresses: r.ips.map((i) => ({ subnet: i.subnet, ip: i.ip })), ...(rg ? { securityGroupId: rg } : {}) };
          doc.onPrem ??= {};
          const onPremName = uniqueName(`onprem-${hubName}`.slice(0, 40), new Set(Object.keys(doc.onPrem)));
          doc.onPrem[onPremName] = { cidrs: onPrem, hub: hubName };
          comments.push([["onPrem", onPremName], `read from the DNS rules of ${r.id}'s security group ${rg}`]);
          if (r.securityGroupIds.length > 1) report.choices.push(`hub ${hubName}: security group ${rg} adopted for the resolver endpoint ${r.id}; its other groups (${r.securityGroupIds.slice(1).join(", ")}) would make the endpoint be replaced: remove them first`);
          for (const c of onPrem) if (!httpsCidrs.includes(c)) report.firstPlan.push(`hub ${hubName}: adds a 443 rule from on-prem ${c}`);
          if (groupId) {
            for (const cidr of onPrem) {
              for (const proto of ["udp", "tcp"]) {
                if (!f.rules.some((x) => x.GroupId === rg && !x.IsEgress && x.CidrIpv4 === cidr && x.IpProtocol === proto && x.FromPort === 53 && x.ToPort === 53)) report.firstPlan.push(`hub ${hubName}: adds the resolver's ${proto.toUpperCase()} 53 rule from ${cidr}`);
              }
            }
          }
        }
      }
      const known = new Set([vpcCidr, ...[...spokeVpcs.keys()].map((v) => vpcIndex.get(v)!.vpc.cidr), ...(doc.onPrem ? Object.values<any>(doc.onPrem).flatMap((o) => o.cidrs) : [])]);
      const extraCidrs = [...new Set(httpsCidrs.filter((c) => !known.has(c)))].sort();
      const wide = extraCidrs.filter((c) => Number(c.split("/")[1]) < 8);
      if (wide.length > 0) report.notManaged.push(`security group ${groupId}: 443 rules from ${wide.join(", ")} are wider than the product allows: left alone (remove them by hand)`);
      const allowed = extraCidrs.filter((c) => !wide.includes(c));
      if (allowed.length > 0) {
        hub.allowedCidrs = allowed;
        comments.push([["hubs", hubName, "allowedCidrs"], `443 sources found on ${groupId} besides the hub, its spokes and on-prem networks`]);
      }
      if (!groupId) report.firstPlan.push(`hub ${hubName}: adds 443 rules from the hub VPC (${vpcCidr}), its spokes and on-prem networks`);
      else if (!httpsCidrs.includes(vpcCidr)) report.firstPlan.push(`hub ${hubName}: adds a 443 rule from the hub VPC (${vpcCidr})`);
      doc.hubs[hubName] = hub;
      hubs.push({ stack, endpoints: new Map(services.map((s) => [s.short, s.endpoint])), zones: new Map(hubZones.map((z) => [z.name, z])), groupId, resolver, rules: f.rules, spokes });
      report.firstPlan.push(`hub ${hubName}: tags every adopted resource (managed-by, topology, stack), sets the zones' comments, the endpoints' Name tags and the rules' descriptions: updates in place, nothing replaced`);
    }
  }

  // PrivateLink services of this product's shape: an endpoint service in front of one internal NLB with TCP
  // listeners forwarding to TCP target groups, and their consumers' interface endpoints in listed accounts.
  const services: Recognized["services"] = [];
  const outputs: Recognized["outputs"] = {};
  const usedServices = new Set<string>();
  const usedLbs = new Set<string>();
  const serviceNames = new Set<string>();
  for (const f of found) {
    for (const svc of f.endpointServices) {
      const where = `endpoint service ${svc.id} (${svc.name ?? "?"}) in ${f.account.name} ${f.region}`;
      const refuse = (why: string) => report.notManaged.push(`${where}: not adopted: ${why}; left alone`);
      if (svc.gwlbs > 0 || svc.nlbs.length !== 1) {
        refuse(`it has ${svc.nlbs.length} network and ${svc.gwlbs} gateway load balancer(s); this product builds one NLB per service`);
        continue;
      }
      const lb = f.loadBalancers.find((l) => l.arn === svc.nlbs[0]);
      if (!lb || !lb.listeners || !lb.targetGroups) {
        refuse("its load balancer was not found");
        continue;
      }
      if (lb.type !== "network" || lb.scheme !== "internal") {
        refuse(`its load balancer ${lb.name} is ${lb.scheme} (${lb.type}); this product builds internal NLBs`);
        continue;
      }
      if (!vpcIndex.has(lb.vpcId)) {
        refuse(`its load balancer's VPC ${lb.vpcId} was not found`);
        continue;
      }
      const groupsByArn = new Map(lb.targetGroups.map((g) => [g.arn, g]));
      const odd = lb.listeners.find((l) => l.protocol !== "TCP" || !l.forwardTo || groupsByArn.get(l.forwardTo)?.protocol !== "TCP");
      if (lb.listeners.length === 0 || odd) {
        refuse(odd ? `listener ${odd.port} is ${odd.protocol}${odd.forwardTo ? ` forwarding to a ${groupsByArn.get(odd.forwardTo)?.protocol ?? "missing"} target group` : " without a single forward action"}; this product builds TCP listeners forwarding to TCP target groups` : "its load balancer has no listener");
        continue;
      }
      const used = lb.listeners.map((l) => groupsByArn.get(l.forwardTo!)!);
      const byPort = new Map<number, (typeof used)[number]>();
      const clash = used.find((g) => byPort.has(g.port) && byPort.get(g.port)!.arn !== g.arn);
      used.forEach((g) => byPort.set(g.port, g));
      const types = new Set(used.map((g) => g.type));
      const targets = [...new Set(used.flatMap((g) => g.targets))].sort();
      if (clash || types.size !== 1 || !["instance", "ip"].includes([...types][0]) || targets.length === 0) {
        refuse(clash ? `two target groups use port ${clash.port}` : types.size !== 1 || !["instance", "ip"].includes([...types][0]) ? `its target groups have target type ${[...types].join(", ")}; this product builds instance or ip target groups` : "no target is registered");
        continue;
      }
      const svcName = uniqueName(sanitize(svc.tag ?? lb.name, `service-${f.region}`), serviceNames);
      const stack = `service-${svcName}`;
      const vpcKey = declareVpc(lb.vpcId);
      const vpc = vpcIndex.get(lb.vpcId)!.vpc;
      usedServices.add(svc.id);
      usedLbs.add(lb.arn);
      const provider: Record<string, any> = { vpc: vpcKey };
      if (lb.subnets.length > 0 && lb.subnets.length < vpc.subnets.length) provider.subnets = lb.subnets;
      const azs = new Set(vpc.subnets.filter((x) => lb.subnets.includes(x.id)).map((x) => x.az));
      if (azs.size === 1) {
        provider.allowSingleAz = true;
        report.choices.push(`service ${svcName}: its NLB spans one availability zone; kept (allowSingleAz: true)`);
      }
      provider.listeners = lb.listeners
        .map((l) => ({ port: l.port, targetPort: groupsByArn.get(l.forwardTo!)!.port }))
        .sort((a, b) => a.port - b.port)
        .map((l) => (l.targetPort === l.port ? { port: l.port } : l));
      provider.targets = { type: [...types][0], ids: targets };
      report.choices.push(`service ${svcName}: the targets' own security groups are left as they are (targets.securityGroupId is not set); set it to have the product keep their rule admitting the NLB`);
      const existing: Record<string, any> = {};
      if (lb.name !== elbName(svcName)) existing.name = lb.name;
      const groupId = lb.securityGroups[0];
      if (!groupId) {
        existing.securityGroupId = "none";
        report.choices.push(`service ${svcName}: its NLB ${lb.name} has no security group and keeps none (adding one replaces the NLB): the targets' own security groups filter its clients`);
        comments.push([["privateLink", svcName, "provider"], `NLB ${lb.name} was built without a security group: securityGroupId none keeps it (AWS replaces an NLB that gets its first group)`]);
      } else {
        existing.securityGroupId = groupId;
        if (lb.securityGroups.length > 1) report.choices.push(`service ${svcName}: security group ${groupId} adopted for the NLB; its other groups (${lb.securityGroups.slice(1).join(", ")}) are removed from it by the first plan (in place)`);
      }
      const groupNames: Record<string, string> = {};
      for (const [port, g] of byPort) if (g.name !== elbName(svcName, `-${port}`)) groupNames[String(port)] = g.name;
      if (Object.keys(groupNames).length > 0) existing.targetGroups = groupNames;
      provider.loadBalancer = existing;
      comments.push([["privateLink", svcName, "provider", "loadBalancer"], `as built: names and security group are fixed at creation`]);
      for (const g of byPort.values()) {
        const fresh = targets.length - g.targets.length;
        report.firstPlan.push(`service ${svcName}: registers its ${targets.length} target(s) in target group ${g.name}${fresh > 0 ? ` (${fresh} not registered there yet)` : ""} (a target group attachment cannot be imported; registering a registered target changes nothing) and sets its health check to TCP every 10 s, thresholds 3 (in place)`);
      }
      if (!svc.acceptance) provider.acceptanceRequired = false;
      if (svc.privateDnsName) provider.privateDnsName = svc.privateDnsName;

      // Consumers: interface endpoints to this service in listed accounts.
      const consumers: Recognized["services"][number]["consumers"] = [];
      const consumerDoc: Record<string, any> = {};
      const consumerNames = new Set<string>();
      const consumerAccounts = new Set<string>();
      const consumerRegions = new Set<string>();
      const clientCidrs = new Set<string>();
      const ports = provider.listeners.map((l: { port: number }) => l.port);
      for (const g of found) {
        for (const e of g.endpoints) {
          if (e.ServiceName !== svc.name || e.VpcEndpointType !== "Interface" || !e.VpcId || !vpcIndex.has(e.VpcId)) continue;
          usedEndpoints.add(e.VpcEndpointId!);
          const consumerVpc = declareVpc(e.VpcId);
          const name = uniqueName(consumerVpc, consumerNames);
          const cStack = `consumer-${svcName}-${name}`;
          const spec: Record<string, any> = { vpc: consumerVpc };
          const all = vpcIndex.get(e.VpcId)!.vpc;
          if ((e.SubnetIds ?? []).length > 0 && e.SubnetIds!.length < all.subnets.length) spec.subnets = [...e.SubnetIds!].sort();
          const cGroup = e.Groups?.[0]?.GroupId;
          if (cGroup) spec.securityGroupId = cGroup;
          if ((e.Groups ?? []).length > 1) report.choices.push(`consumer ${svcName}/${name}: security group ${cGroup} adopted for endpoint ${e.VpcEndpointId}; its other groups are removed from it by the first plan (in place)`);
          const admitted = ports.map((port: number) => new Set(tcpSources(g.rules, cGroup, port)));
          const cidrs = [...admitted[0]].filter((c) => admitted.every((set: Set<string>) => set.has(c)) && Number(c.split("/")[1]) >= 8).sort();
          const allowed = cidrs.length > 0 ? cidrs : [all.cidr];
          if (!(allowed.length === 1 && allowed[0] === all.cidr)) spec.allowedCidrs = allowed;
          if (cidrs.length === 0) report.firstPlan.push(`consumer ${svcName}/${name}: ${cGroup ? `adds rules on ${cGroup}` : "creates a security group with rules"} admitting ${all.cidr} on port(s) ${ports.join(", ")}`);
          allowed.forEach((c) => clientCidrs.add(c));
          if (e.PrivateDnsEnabled) {
            spec.privateDns = true;
            report.firstPlan.push(`consumer ${svcName}/${name}: keeps the service's private DNS name on (a no-op modification)`);
          }
          const connection = svc.connections.find((c) => c.endpointId === e.VpcEndpointId);
          let accepter: string | undefined;
          if (svc.acceptance) {
            if (connection && /^available$/i.test(connection.state)) accepter = `${svc.id}_${e.VpcEndpointId}`;
            else report.firstPlan.push(`consumer ${svcName}/${name}: accepts the connection of ${e.VpcEndpointId} (now ${connection?.state ?? "not listed by the service"})`);
          }
          consumerDoc[name] = spec;
          consumerAccounts.add(g.account.id);
          consumerRegions.add(g.region);
          consumers.push({ stack: cStack, endpointId: e.VpcEndpointId!, groupId: cGroup, rules: g.rules, accepter });
        }
      }
      const listedIds = new Set(accounts.map((a) => a.id));
      for (const c of svc.connections.filter((c) => !listedIds.has(c.owner))) {
        report.notManaged.push(`${where}: connection of endpoint ${c.endpointId} (account ${c.owner || "?"}, ${c.state}) is not in a listed account: left as it is`);
      }
      // Principals: those found and every consumer account (validation wants them); derived when that is all.
      const partition = partitionOf(f.region);
      const roots = [...consumerAccounts].map((id) => `arn:${partition}:iam::${id}:root`);
      const principals = [...new Set([...svc.principals, ...roots])].sort();
      for (const r of roots.filter((r) => !svc.principals.includes(r))) report.firstPlan.push(`service ${svcName}: allows principal ${r} (a consumer's account, not allowed yet)`);
      if (principals.join() !== [...roots].sort().join()) provider.allowedPrincipals = principals;
      if (principals.includes("*")) {
        provider.allowAnyPrincipal = true;
        comments.push([["privateLink", svcName, "provider", "allowedPrincipals"], `"*" found on ${svc.id}: any AWS account may request a connection; narrow it`]);
        report.choices.push(`service ${svcName}: "*" is among its principals (any AWS account may connect): kept with allowAnyPrincipal; narrow it`);
      }
      const regions = [...new Set([...svc.supportedRegions, ...consumerRegions])].filter((r) => r !== f.region).sort();
      if (regions.join() !== [...consumerRegions].filter((r) => r !== f.region).sort().join()) provider.supportedRegions = regions;
      if (consumers.length === 0) report.choices.push(`service ${svcName}: no consumer endpoint in the listed accounts`);
      // The NLB's rules: listener ports from the consumers' clients, target ports to the targets.
      if (groupId) {
        for (const port of ports) for (const c of clientCidrs) if (!tcpSources(f.rules, groupId, port).includes(c)) report.firstPlan.push(`service ${svcName}: adds a rule on ${groupId} admitting ${c} on port ${port}`);
        const peers = provider.targets.type === "ip" ? targets.map((t: string) => `${t}/32`) : [vpc.cidr];
        for (const port of byPort.keys()) {
          for (const peer of peers) {
            if (!f.rules.some((r) => r.GroupId === groupId && r.IsEgress && r.CidrIpv4 === peer && r.IpProtocol === "tcp" && r.FromPort === port && r.ToPort === port)) report.firstPlan.push(`service ${svcName}: adds an egress rule on ${groupId} to ${peer} on port ${port}`);
          }
        }
      }
      report.firstPlan.push(`service ${svcName}: tags the adopted NLB, target groups, endpoint service and consumer endpoints (in place)`);
      doc.privateLink ??= {};
      doc.privateLink[svcName] = { provider, consumers: consumerDoc };
      services.push({ stack, serviceId: svc.id, lb, groupId, rules: f.rules, consumers });
      if (svc.name) outputs[stack] = { [SERVICE_OUTPUTS.serviceName]: svc.name, [SERVICE_OUTPUTS.serviceId]: svc.id };
    }
  }

  // What is there and not adopted.
  for (const f of found) {
    for (const e of f.endpoints) {
      if (usedEndpoints.has(e.VpcEndpointId!)) continue;
      report.notManaged.push(`endpoint ${e.VpcEndpointId} (${e.ServiceName}, ${e.VpcEndpointType}${e.VpcEndpointType === "Interface" ? `, private DNS ${e.PrivateDnsEnabled ? "on" : "off"}` : ""}) in ${f.account.name} ${f.region}: left alone`);
    }
    for (const r of f.resolvers) if (!usedResolvers.has(r.id)) report.notManaged.push(`Resolver ${r.direction.toLowerCase()} endpoint ${r.id} in ${f.account.name} ${f.region}: left alone`);
    for (const lb of f.loadBalancers) if (!usedLbs.has(lb.arn)) report.notManaged.push(`load balancer ${lb.name} (${lb.type}) in ${f.account.name} ${f.region}: left alone`);
    const nothing = f.endpoints.length === 0 && f.resolvers.length === 0 && f.endpointServices.length === 0 && f.loadBalancers.length === 0;
    if (nothing) report.empty.push(`${f.account.name} (${f.account.id}) ${f.region}: no endpoint, resolver endpoint, endpoint service or load balancer`);
  }
  for (const z of zones) {
    if (usedZones.has(z.id)) continue;
    report.notManaged.push(`${z.private ? "private" : "public"} zone ${z.name} (${z.id}) in ${z.account.name}: left alone`);
  }
  for (const a of accounts) if (!doc.accounts[a.name]) doc.accounts[a.name] = { id: a.id, deployRoleArn: a.deployRoleArn };
  return { doc, comments, policies, report, hubs, services, outputs };
}

/** Matches what recognition adopted to the addresses synth gives it. */
function matchAddresses(configs: ReadonlyMap<string, unknown>, recognized: Recognized): ImportEntry[] {
  const out: ImportEntry[] = [];
  const byType = (config: any, type: string): Array<[string, any]> => Object.entries(config?.resource?.[type] ?? {});
  for (const hub of recognized.hubs) {
    const config = configs.get(hub.stack) as any;
    if (!config) continue;
    for (const [name, body] of byType(config, "aws_vpc_endpoint")) {
      const endpoint = [...hub.endpoints.values()].find((e) => e.ServiceName === body.service_name);
      if (endpoint) out.push({ stack: hub.stack, to: `aws_vpc_endpoint.${name}`, id: endpoint.VpcEndpointId!, what: `endpoint ${body.service_name}` });
    }
    const zoneByAddress = new Map<string, Zone>();
    for (const [name, body] of byType(config, "aws_route53_zone")) {
      const zone = hub.zones.get(body.name);
      if (!zone) continue;
      zoneByAddress.set(`aws_route53_zone.${name}`, zone);
      out.push({ stack: hub.stack, to: `aws_route53_zone.${name}`, id: zone.id, what: `zone ${zone.name}` });
    }
    for (const [name, body] of byType(config, "aws_route53_record")) {
      const ref = /^\$\{(aws_route53_zone\.[^.}]+)\.zone_id\}$/.exec(String(body.zone_id))?.[1];
      const zone = ref ? zoneByAddress.get(ref) : undefined;
      if (!zone) continue;
      const exists = zone.records.some((r) => unquoteDot(r.Name ?? "") === body.name && r.Type === body.type);
      if (exists) out.push({ stack: hub.stack, to: `aws_route53_record.${name}`, id: `${zone.id}_${body.name}_${body.type}`, what: `record ${body.name} ${body.type}` });
    }
    for (const [name, body] of byType(config, "aws_route53_resolver_endpoint")) {
      if (hub.resolver && body.direction === "INBOUND") out.push({ stack: hub.stack, to: `aws_route53_resolver_endpoint.${name}`, id: hub.resolver.id, what: "Resolver inbound endpoint" });
    }
    out.push(...matchRules(hub.stack, config, hub.rules));
    for (const spoke of hub.spokes) {
      const spokeConfig = configs.get(spoke.stack) as any;
      if (!spokeConfig) continue;
      for (const [name] of byType(spokeConfig, "aws_route53_zone_association")) {
        // Addresses are associate_<zone name>; the zone id comes from the hub's outputs, so match on the name.
        const zone = spoke.zones.find((z) => name === tfName("associate", z.name));
        if (!zone) continue;
        // ZONE:VPC:REGION, the provider's import id (the region: the VPC's, which may not be the zone's).
        const region = zone.vpcs.find((v) => v.id === spoke.vpcId)?.region;
        if (region) out.push({ stack: spoke.stack, to: `aws_route53_zone_association.${name}`, id: `${zone.id}:${spoke.vpcId}:${region}`, what: `association of ${zone.name}` });
      }
    }
  }
  for (const service of recognized.services) {
    const config = configs.get(service.stack) as any;
    if (!config) continue;
    const { lb } = service;
    for (const [name] of byType(config, "aws_lb")) out.push({ stack: service.stack, to: `aws_lb.${name}`, id: lb.arn, what: `load balancer ${lb.name}` });
    for (const [name, body] of byType(config, "aws_lb_listener")) {
      const listener = lb.listeners!.find((l) => l.port === body.port);
      if (listener) out.push({ stack: service.stack, to: `aws_lb_listener.${name}`, id: listener.arn, what: `listener ${listener.port}` });
    }
    for (const [name, body] of byType(config, "aws_lb_target_group")) {
      const group = lb.targetGroups!.find((g) => g.name === body.name && g.port === body.port);
      if (group) out.push({ stack: service.stack, to: `aws_lb_target_group.${name}`, id: group.arn, what: `target group ${group.name}` });
    }
    for (const [name] of byType(config, "aws_vpc_endpoint_service")) out.push({ stack: service.stack, to: `aws_vpc_endpoint_service.${name}`, id: service.serviceId, what: "endpoint service" });
    out.push(...matchRules(service.stack, config, service.rules));
    for (const consumer of service.consumers) {
      const consumerConfig = configs.get(consumer.stack) as any;
      if (!consumerConfig) continue;
      for (const [name] of byType(consumerConfig, "aws_vpc_endpoint")) out.push({ stack: consumer.stack, to: `aws_vpc_endpoint.${name}`, id: consumer.endpointId, what: "consumer endpoint" });
      for (const [name] of byType(consumerConfig, "aws_vpc_endpoint_connection_accepter")) {
        if (consumer.accepter) out.push({ stack: consumer.stack, to: `aws_vpc_endpoint_connection_accepter.${name}`, id: consumer.accepter, what: "accepted connection" });
      }
      out.push(...matchRules(consumer.stack, consumerConfig, consumer.rules));
    }
  }
  return out;
}

/**
 * The security group rules of a stack that exist already: same group (an adopted one: its id is literal in the
 * configuration), direction, protocol, ports and peer.
 */
function matchRules(stack: string, config: any, rules: readonly SecurityGroupRule[]): ImportEntry[] {
  const out: ImportEntry[] = [];
  for (const [type, egress] of [["aws_vpc_security_group_ingress_rule", false], ["aws_vpc_security_group_egress_rule", true]] as const) {
    for (const [name, body] of Object.entries<any>(config?.resource?.[type] ?? {})) {
      const peer = body.cidr_ipv4 ?? body.referenced_security_group_id;
      const rule = rules.find(
        (r) =>
          !!r.IsEgress === egress &&
          r.GroupId === body.security_group_id &&
          (body.cidr_ipv4 ? r.CidrIpv4 === body.cidr_ipv4 : r.ReferencedGroupInfo?.GroupId === body.referenced_security_group_id) &&
          r.IpProtocol === body.ip_protocol &&
          r.FromPort === body.from_port &&
          r.ToPort === body.to_port,
      );
      if (rule?.SecurityGroupRuleId) out.push({ stack, to: `${type}.${name}`, id: rule.SecurityGroupRuleId, what: `${egress ? "egress" : "ingress"} rule ${body.ip_protocol} ${body.from_port} ${egress ? "to" : "from"} ${peer} on ${body.security_group_id}` });
    }
  }
  return out;
}

/** Adds the comments recognition asked for to the YAML document. */
function withComments(doc: Record<string, any>, comments: Recognized["comments"], header: string): string {
  const yaml = new Document(doc);
  yaml.commentBefore = header;
  for (const [at, comment] of comments) {
    const node = yaml.getIn(at, true) as { commentBefore?: string } | undefined;
    if (node && typeof node === "object") node.commentBefore = ` ${comment}`;
  }
  return yaml.toString({ lineWidth: 0 });
}

function markdown(report: ImportReport): string {
  const section = (title: string, lines: readonly string[], none: string) => [`## ${title}`, "", ...(lines.length ? lines.map((l) => `- ${l}`) : [none]), ""];
  const byStack = new Map<string, number>();
  for (const a of report.adopted) byStack.set(a.stack, (byStack.get(a.stack) ?? 0) + 1);
  return [
    `# privatelink import`,
    "",
    `Wrote ${report.topology} and ${report.importsFile}: ${report.adopted.length} resource(s) to import (${[...byStack].map(([s, n]) => `${s} ${n}`).join(", ") || "none"}), in ${report.seconds.toFixed(1)} s.`,
    "Nothing is destroyed or replaced by the first plan for what is adopted; check it with `privatelink plan` before any deploy.",
    "",
    ...section("Adopted", report.adopted.map((a) => `${a.stack}: \`${a.address}\` <- ${a.id} (${a.what})`), "Nothing."),
    ...section("The first plan also", report.firstPlan, "Nothing else."),
    ...section("Choices made", report.choices, "None."),
    ...section("Standing authorizations", report.authorizations, "None."),
    ...section("Not managed (left alone)", report.notManaged, "Nothing."),
    ...section("Nothing found", report.empty, "Every account and region searched held something."),
    `API calls: ${Object.entries(report.calls).map(([a, n]) => `${a} ${n}`).join(", ")}.`,
    "",
  ].join("\n");
}

export async function importCommand(parsed: Parsed, spec: CommandSpec, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const started = Date.now();
  const accountsFile = stringFlag(parsed, "--accounts");
  const out = stringFlag(parsed, "--out");
  const reportJson = stringFlag(parsed, "--report-json");
  // Every path given is checked before anything else (the first problem named is the user's).
  const accountsText = accountsFile !== undefined ? inputText("--accounts", accountsFile, spec) : undefined;
  const outFile = out !== undefined ? outputPath("--out", out, spec) : undefined;
  if (reportJson) outputPath("--report-json", reportJson, spec);
  if (accountsFile === undefined || accountsText === undefined) throw new UsageError("--accounts FILE is required", spec);
  if (outFile === undefined) throw new UsageError("--out TOPOLOGY is required", spec);
  const importsFile = importsFileFor(outFile);
  outputPath("--out", importsFile, spec);
  if (!switchFlag(parsed, "--force")) {
    for (const existing of [outFile, importsFile]) {
      if (fs.existsSync(existing)) throw new UsageError(`--out ${out}: ${existing} exists; pass --force to replace it (a topology being reviewed is not overwritten by accident)`, spec);
    }
  }
  const name = stringFlag(parsed, "--name") ?? path.parse(outFile).name;
  if (!NAME_PATTERN.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: a topology name uses lowercase letters, digits and hyphens, starts with a letter, at most 40 characters${stringFlag(parsed, "--name") ? "" : " (it defaults to the --out file's stem: give --name)"}`, spec);
  const association = (stringFlag(parsed, "--association") ?? "script") as "script" | "native";
  const { accounts, regions: fileRegions } = readAccounts(accountsFile, accountsText);
  const regionsFlag = stringFlag(parsed, "--regions");
  const regions = regionsFlag !== undefined ? regionsFlag.split(",").map((r) => r.trim()).filter(Boolean) : fileRegions;
  if (!regions || regions.length === 0) throw new UsageError("name the regions to search: --regions r1,r2 (or regions: in the accounts file)", spec);
  for (const r of regions) if (!KNOWN_REGIONS.has(r)) throw new UsageError(`--regions: ${JSON.stringify(r)} is not a region this release knows`, spec);

  const discovery = new Discovery(env.TARGET_ENDPOINT || undefined, io.err);
  // Every role first: one that cannot be assumed is bad input, before any discovery.
  const refused: Problem[] = [];
  await Promise.all(
    accounts.map((a) =>
      discovery.assume(a, regions[0]).catch((error: Error) => refused.push({ path: ["accounts", a.name, "deployRoleArn"], message: `${a.deployRoleArn} cannot be assumed: ${error.name}: ${error.message.split("\n")[0]}` })),
    ),
  );
  if (refused.length > 0) throw new ImportInputError(accountsFile, refused);
  const found: Found[] = [];
  const zones: Zone[] = [];
  for (const account of accounts) {
    // The regions of one account side by side; accounts one after another (each has its own rate limits).
    const [regional, accountZones] = await Promise.all([Promise.all(regions.map((r) => discovery.regional(account, r))), discovery.zones(account, regions[0])]);
    found.push(...regional);
    zones.push(...accountZones);
  }
  const recognized = recognize(accounts, found, zones, name, association);
  if (Object.keys(recognized.doc.hubs).length === 0) delete recognized.doc.hubs;
  if (!recognized.doc.hubs && !recognized.doc.privateLink) {
    const report: ImportReport = { topology: outFile, importsFile, adopted: [], ...recognized.report, calls: discovery.calls, seconds: (Date.now() - started) / 1000 };
    if (reportJson) writeFileAtomic(path.resolve(reportJson), `${JSON.stringify(report, null, 2)}\n`);
    io.out(`${markdown(report)}\nNo hub (interface endpoints with private DNS off, resolved by private zones with alias records) and no PrivateLink service (an endpoint service in front of an internal NLB) was recognized: nothing to adopt, ${outFile} not written.\n`);
    return 0;
  }
  const header = ` Written by privatelink import on ${new Date().toISOString().slice(0, 10)} from ${accounts.length} account(s) in ${regions.join(", ")}.\n Review the comments, then: privatelink plan (imports, no destroy), privatelink deploy.`;
  const text = withComments(recognized.doc, recognized.comments, header);

  // The topology is checked and synthesized before anything is written.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "privatelink-import-"));
  let adopted: ImportEntry[];
  try {
    for (const [file, policy] of recognized.policies) {
      fs.mkdirSync(path.join(scratch, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(scratch, file), policy);
    }
    let model;
    try {
      const readNamedFile = (relative: string) => fs.readFileSync(path.join(scratch, relative), "utf8");
      model = loadTopologyText(text, outFile, { readNamedFile }).model;
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      io.err(`import: the estate found does not make a valid topology:\n${error.message}\n`);
      return 1;
    }
    // Addresses do not depend on the output directory: a scratch one keeps the working tree untouched.
    adopted = matchAddresses(synthesizeConfigs(model, { outdir: path.join(scratch, "cdktf.out") }), recognized);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const report: ImportReport = {
    topology: outFile,
    importsFile,
    adopted: adopted.map((a) => ({ stack: a.stack, address: a.to, id: a.id, what: a.what ?? "" })),
    ...recognized.report,
    calls: discovery.calls,
    seconds: (Date.now() - started) / 1000,
  };

  // Written together: policies, imports, topology (last: it is what the other commands read).
  for (const [file, policy] of recognized.policies) {
    const target = path.join(path.dirname(outFile), file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomic(target, policy);
  }
  writeImports(importsFile, { version: IMPORTS_VERSION, topology: name, imports: adopted, outputs: recognized.outputs });
  writeFileAtomic(outFile, text);
  if (reportJson) writeFileAtomic(path.resolve(reportJson), `${JSON.stringify(report, null, 2)}\n`);
  io.out(markdown(report));
  return 0;
}

