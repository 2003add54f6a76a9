/**
 * `privatelink preflight`: what synth cannot know, checked with the user's credentials before any apply.
 * Read-only: only AssumeRole and Describe/Get/List calls.
 *
 * - every account's deploy role can be assumed;
 * - every VPC and subnet exists in its declared account and region, with the declared CIDRs, zones and
 *   zone ids;
 * - live quotas allow the estate: hosted zones per account (GetAccountLimit), VPCs per existing hub
 *   zone (GetHostedZoneLimit), interface endpoints per VPC and rules per security group (Service
 *   Quotas), and a declared raised quota that the account does not have;
 * - no spoke already has a zone of a hub's names (another zone, or its own endpoint with private DNS):
 *   Route 53 would refuse the association (ConflictingDomainExists);
 * - hubs sharing through a Route 53 Profile: the hub account's Profiles in the Region stay within the
 *   quota, no spoke VPC is associated with another Profile (a VPC takes one), and a spoke's own zone or
 *   private-DNS endpoint for a hub name is reported as a note: it overrides the Profile for that name.
 */
import { DescribeSubnetsCommand, DescribeVpcEndpointsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetAccountLimitCommand, GetHostedZoneLimitCommand, ListHostedZonesByVPCCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { assumeRole, clientSettings } from "./aws-clients";
import { withoutCovered } from "../aws/cidr";
import { globalRegionOf } from "../aws/partitions";
import { QUOTAS, quotaValue } from "../aws/quotas";
import { planServiceDns } from "../aws/service-catalog";
import { hubProfileName } from "../stacks/hub-stack";
import { AccountModel, HubModel, hubClientCidrs, TopologyModel } from "../topology/model";
import { Route53ProfilesReader } from "./route53-profiles";
import { standingAuthorizations } from "./authorizations";

/** fail: AWS would refuse; warn: the check could not be made; note: allowed, but maybe not what was meant. */
export type CheckStatus = "ok" | "fail" | "warn" | "note";

export interface PreflightCheck {
  readonly area: "credentials" | "roles" | "vpcs" | "quotas" | "conflicts" | "authorizations";
  readonly subject: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Service Quotas codes of the quotas preflight reads (service vpc). */
const SERVICE_QUOTA_CODES = { interfaceEndpointsPerVpc: "L-29B6F2EB", rulesPerSecurityGroup: "L-0EA8095F" } as const;

const code = (error: unknown) => (error as { name?: string })?.name ?? "Error";
const message = (error: unknown) => `${code(error)}: ${(error as Error)?.message ?? String(error)}`;

export class Preflight {
  readonly checks: PreflightCheck[] = [];
  private readonly credentials = new Map<string, Promise<Credentials | undefined>>();
  private readonly endpoint?: string;
  /** VPCs whose check failed to find them: later checks that need them are not made. */
  private readonly unreadable = new Set<string>();

  constructor(private readonly model: TopologyModel) {
    this.endpoint = model.target.kind === "local" ? model.target.endpoint : undefined;
  }

  /** Position of each check in the report: checks made concurrently still print in the topology's order. */
  private readonly rank = new Map<PreflightCheck, number>();

  private add(area: PreflightCheck["area"], subject: string, status: CheckStatus, detail: string, rank = 0): void {
    const check = { area, subject, status, detail };
    this.checks.push(check);
    this.rank.set(check, rank);
  }

  private ordered(): PreflightCheck[] {
    const areas: Array<PreflightCheck["area"]> = ["credentials", "roles", "vpcs", "quotas", "conflicts", "authorizations"];
    // Stable: checks of one area and rank keep the order they were made in.
    return [...this.checks].sort((a, b) => areas.indexOf(a.area) - areas.indexOf(b.area) || this.rank.get(a)! - this.rank.get(b)!);
  }

  /** SDK client settings: the emulator's endpoint and dummy keys under a local target, else the default chain. */
  private settings(region: string, credentials?: Credentials) {
    return clientSettings(this.endpoint, region, { credentials, maxAttempts: 5 });
  }

  /** The account's deploy role, assumed once. */
  private assume(account: AccountModel, region: string): Promise<Credentials | undefined> {
    let pending = this.credentials.get(account.name);
    if (!pending) {
      pending = (async () => {
        try {
          const credentials = await assumeRole(this.endpoint, account.deployRoleArn, "privatelink-preflight", region, { durationSeconds: 900, maxAttempts: 5 });
          this.add("roles", `account ${account.name} (${account.id})`, "ok", `assumed ${account.deployRoleArn}`, this.indexOf("accounts", account.name));
          return credentials;
        } catch (error) {
          this.add("roles", `account ${account.name} (${account.id})`, "fail", `cannot assume ${account.deployRoleArn}: ${message(error)}`, this.indexOf("accounts", account.name));
          return undefined;
        }
      })();
      this.credentials.set(account.name, pending);
    }
    return pending;
  }

  async run(): Promise<PreflightCheck[]> {
    const region = this.model.vpcs.values().next().value?.region ?? "us-east-1";
    try {
      const identity = await new STSClient(this.settings(globalRegionOf(region))).send(new GetCallerIdentityCommand({}));
      this.add("credentials", "caller", "ok", `${identity.Arn} (account ${identity.Account})`);
    } catch (error) {
      this.add("credentials", "caller", "fail", `no usable AWS credentials: ${message(error)}`);
      return this.ordered();
    }
    await Promise.all([...this.model.accounts.values()].map((a) => this.assume(a, [...this.model.vpcs.values()].find((v) => v.account.name === a.name)?.region ?? region)));
    await Promise.all([...this.model.vpcs.values()].map((vpc) => this.checkVpc(vpc)));
    for (const hub of this.model.hubs) await this.checkHub(hub);
    for (const hub of this.model.hubs) await this.checkAuthorizations(hub);
    return this.ordered();
  }

  /** Standing VPC association authorizations on the hub's zones (cli/authorizations.ts): each one a warn, but those native pairs need. */
  private async checkAuthorizations(hub: HubModel): Promise<void> {
    const credentials = await this.assume(hub.vpc.account, hub.vpc.region);
    if (!credentials) return;
    const subject = `hub ${hub.name}`;
    try {
      const route53 = new Route53Client(this.settings(globalRegionOf(hub.vpc.region), credentials));
      const found = await standingAuthorizations(hub, route53, new Set(this.model.spokes.map((s) => s.stackName)));
      const standing = found.filter((f) => f.status !== "needed");
      for (const f of standing) this.add("authorizations", subject, "warn", `standing VPC association authorization ${f.zoneName} (${f.zoneId}) <-> ${f.vpcId} (${f.vpcRegion}): ${f.why}; privatelink deploy deletes it`);
      if (standing.length === 0) this.add("authorizations", subject, "ok", `no standing VPC association authorization on its zones${found.length ? ` but the ${found.length} native-mode pairs keep` : ""}`);
    } catch (error) {
      this.add("authorizations", subject, "warn", `could not list its zones' authorizations: ${message(error)}`);
    }
  }

  private indexOf(map: "accounts" | "vpcs", name: string): number {
    return [...this.model[map].keys()].indexOf(name);
  }

  private async checkVpc(vpc: TopologyModel["vpcs"] extends ReadonlyMap<string, infer V> ? V : never): Promise<void> {
    const credentials = await this.assume(vpc.account, vpc.region);
    if (!credentials) return;
    const subject = `vpc ${vpc.name} (${vpc.vpcId}, ${vpc.account.name}, ${vpc.region})`;
    const rank = this.indexOf("vpcs", vpc.name);
    const ec2 = new EC2Client(this.settings(vpc.region, credentials));
    try {
      const found = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.vpcId] }))).Vpcs?.[0];
      const cidrs = [found?.CidrBlock, ...(found?.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter(Boolean);
      if (!found) {
        this.unreadable.add(vpc.name);
        return this.add("vpcs", subject, "fail", "not found in this account and region", rank);
      }
      if (!cidrs.includes(vpc.cidr)) return this.add("vpcs", subject, "fail", `its CIDRs are ${cidrs.join(", ")}, not ${vpc.cidr} as declared`, rank);
      const subnets = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: vpc.subnets.map((s) => s.id) }))).Subnets ?? [];
      const problems: string[] = [];
      for (const declared of vpc.subnets) {
        const subnet = subnets.find((s) => s.SubnetId === declared.id);
        if (!subnet) problems.push(`subnet ${declared.id} not found`);
        else {
          if (subnet.VpcId !== vpc.vpcId) problems.push(`subnet ${declared.id} belongs to ${subnet.VpcId}`);
          if (subnet.AvailabilityZone !== declared.az) problems.push(`subnet ${declared.id} is in ${subnet.AvailabilityZone}, not ${declared.az}`);
          if (declared.azId && subnet.AvailabilityZoneId && subnet.AvailabilityZoneId !== declared.azId) problems.push(`subnet ${declared.id} is in zone id ${subnet.AvailabilityZoneId}, not ${declared.azId}`);
          if (subnet.CidrBlock !== declared.cidr) problems.push(`subnet ${declared.id} is ${subnet.CidrBlock}, not ${declared.cidr}`);
        }
      }
      this.add("vpcs", subject, problems.length === 0 ? "ok" : "fail", problems.length === 0 ? `${vpc.cidr}, ${vpc.subnets.length} subnets as declared` : problems.join("; "), rank);
    } catch (error) {
      this.add("vpcs", subject, "fail", /NotFound/.test(code(error)) ? `not found in account ${vpc.account.id}, ${vpc.region} (${code(error)})` : message(error), rank);
      this.unreadable.add(vpc.name);
    }
  }

  private async checkHub(hub: HubModel): Promise<void> {
    const credentials = await this.assume(hub.vpc.account, hub.vpc.region);
    if (!credentials) return;
    const route53 = new Route53Client(this.settings(globalRegionOf(hub.vpc.region), credentials));
    const names = new Set(hub.services.flatMap((s) => s.zones.map((z) => z.name)));
    const existing = new Map<string, string>();
    try {
      for (const z of (await route53.send(new ListHostedZonesByVPCCommand({ VPCId: hub.vpc.vpcId, VPCRegion: hub.vpc.region as never }))).HostedZoneSummaries ?? []) {
        const name = (z.Name ?? "").replace(/\.$/, "");
        if (names.has(name) && z.HostedZoneId) existing.set(name, z.HostedZoneId.replace(/^\/hostedzone\//, ""));
      }
    } catch (error) {
      this.add("quotas", `hub ${hub.name}`, "warn", `could not list the hub VPC's zones: ${message(error)}`);
    }

    // Hosted zones per account: what exists plus what this hub still has to create.
    try {
      const { Limit, Count } = await route53.send(new GetAccountLimitCommand({ Type: "MAX_HOSTED_ZONES_BY_OWNER" }));
      const needed = (Count ?? 0) + (names.size - existing.size);
      this.add("quotas", `hosted zones of account ${hub.vpc.account.name}`, needed <= (Limit?.Value ?? 0) ? "ok" : "fail", `${Count} exist, hub ${hub.name} creates ${names.size - existing.size}: ${needed} of ${Limit?.Value}`);
    } catch (error) {
      this.add("quotas", `hosted zones of account ${hub.vpc.account.name}`, "warn", `could not read GetAccountLimit: ${message(error)}`);
    }
    // VPCs per zone, for the zones that exist.
    const planned = 1 + hub.spokes.length;
    for (const [name, id] of existing) {
      try {
        const { Limit } = await route53.send(new GetHostedZoneLimitCommand({ HostedZoneId: id, Type: "MAX_VPCS_ASSOCIATED_BY_ZONE" }));
        const limit = Limit?.Value ?? 0;
        const declared = this.model.quotas.vpcsPerHostedZone;
        const status: CheckStatus = planned > limit || (declared !== undefined && declared > limit) ? "fail" : "ok";
        this.add("quotas", `VPCs per zone ${name}`, status, `${planned} planned, limit ${limit}${declared !== undefined && declared > limit ? `; the topology declares ${declared}, which this account does not have` : ""}`);
      } catch (error) {
        this.add("quotas", `VPCs per zone ${name}`, "warn", `could not read GetHostedZoneLimit: ${message(error)}`);
      }
    }
    // Service Quotas of the hub's VPC.
    const quotas = new ServiceQuotasClient(this.settings(hub.vpc.region, credentials));
    const live = async (key: keyof typeof SERVICE_QUOTA_CODES): Promise<number | undefined> => {
      try {
        return (await quotas.send(new GetServiceQuotaCommand({ ServiceCode: "vpc", QuotaCode: SERVICE_QUOTA_CODES[key] }))).Quota?.Value;
      } catch (error) {
        if (code(error) !== "NoSuchResourceException") throw error;
        return (await quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: "vpc", QuotaCode: SERVICE_QUOTA_CODES[key] }))).Quota?.Value;
      }
    };
    const demands: Array<[keyof typeof SERVICE_QUOTA_CODES, number, string]> = [
      ["interfaceEndpointsPerVpc", hub.services.length, `interface endpoints in ${hub.vpc.name}`],
      ["rulesPerSecurityGroup", withoutCovered(hubClientCidrs(hub)).length, `inbound rules of hub ${hub.name}'s endpoint security group`],
    ];
    for (const [key, demand, subject] of demands) {
      try {
        const limit = await live(key);
        const declared = quotaValue(key, this.model.quotas);
        if (limit === undefined) this.add("quotas", subject, "warn", "Service Quotas returned no value");
        else this.add("quotas", subject, demand <= limit && declared <= limit ? "ok" : "fail", `${demand} planned, limit ${limit}${declared > limit ? `; the topology declares ${declared} (${QUOTAS[key].name}), which this account does not have` : ""}`);
      } catch (error) {
        this.add("quotas", subject, "warn", `could not read Service Quotas ${SERVICE_QUOTA_CODES[key]}: ${message(error)}`);
      }
    }

    const profileId = hub.sharing === "profile" ? await this.checkProfileQuota(hub, credentials) : undefined;

    // Conflicts in the spokes: a zone of one of the hub's names that is not the hub's, or a private-DNS endpoint.
    for (const spoke of hub.spokes) {
      // A VPC that could not be read has its failure already; a second line about it says nothing new.
      if (this.unreadable.has(spoke.vpc.name)) continue;
      const spokeCredentials = await this.assume(spoke.vpc.account, spoke.vpc.region);
      if (!spokeCredentials) continue;
      const subject = `spoke ${spoke.name} (${spoke.vpc.vpcId})`;
      const conflicts: string[] = [];
      try {
        const spokeRoute53 = new Route53Client(this.settings(globalRegionOf(spoke.vpc.region), spokeCredentials));
        for (const z of (await spokeRoute53.send(new ListHostedZonesByVPCCommand({ VPCId: spoke.vpc.vpcId, VPCRegion: spoke.vpc.region as never }))).HostedZoneSummaries ?? []) {
          const name = (z.Name ?? "").replace(/\.$/, "");
          const id = (z.HostedZoneId ?? "").replace(/^\/hostedzone\//, "");
          if (names.has(name) && existing.get(name) !== id) conflicts.push(`zone ${name} (${id}, account ${z.Owner?.OwningAccount ?? "?"}) is already associated`);
        }
        const endpoints = (await new EC2Client(this.settings(spoke.vpc.region, spokeCredentials)).send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [spoke.vpc.vpcId] }] }))).VpcEndpoints ?? [];
        for (const endpoint of endpoints) {
          if (!endpoint.PrivateDnsEnabled || endpoint.VpcEndpointType !== "Interface" || String(endpoint.State).toLowerCase() === "deleted") continue;
          const short = endpoint.ServiceName?.split(".").slice(3).join(".") ?? "";
          const clash = planServiceDns(short, spoke.vpc.region).zones.map((z) => z.name).filter((n) => names.has(n));
          if (clash.length > 0) conflicts.push(`its endpoint ${endpoint.VpcEndpointId} (${endpoint.ServiceName}) has private DNS on for ${clash.join(", ")}`);
        }
        if (spoke.association === "profile") {
          // Through a Profile, nothing is refused: the VPC's own settings win for those names.
          const otherProfiles = (await new Route53ProfilesReader({ region: spoke.vpc.region, credentials: spokeCredentials, endpoint: this.endpoint }).listProfileAssociations({ resourceId: spoke.vpc.vpcId }))
            .filter((a) => a.ProfileId !== profileId)
            .map((a) => `it is associated with Route 53 Profile ${a.ProfileId}${a.Name ? ` (association ${a.Name})` : ""}`);
          if (otherProfiles.length > 0) {
            this.add("conflicts", subject, "fail", `${otherProfiles.join("; ")}: a VPC takes one Profile (AWS refuses a second, ConflictException); disassociate it, or keep hub ${hub.name} on sharing: zones`);
          } else if (conflicts.length > 0) {
            this.add("conflicts", subject, "note", `${conflicts.join("; ")}: these override hub ${hub.name}'s Profile for those names (the VPC's own settings win); remove them for the hub's endpoints to answer`);
          } else {
            this.add("conflicts", subject, "ok", `no other Profile, no own zone of hub ${hub.name}'s ${names.size} names`);
          }
          continue;
        }
        this.add("conflicts", subject, conflicts.length === 0 ? "ok" : "fail", conflicts.length === 0 ? `no zone of hub ${hub.name}'s ${names.size} names` : `${conflicts.join("; ")}: Route 53 would refuse the association (ConflictingDomainExists); remove them or turn their private DNS off`);
      } catch (error) {
        this.add("conflicts", subject, "warn", `could not check: ${message(error)}`);
      }
    }
  }

  /**
   * Profiles per account and Region: those the hub account owns there plus the ones this topology still
   * creates there, against the declared or default quota (Service Quotas has no code for it that preflight
   * reads). Returns the id of the hub's Profile when it exists.
   */
  private async checkProfileQuota(hub: HubModel, credentials: Credentials): Promise<string | undefined> {
    const subject = `Route 53 Profiles of account ${hub.vpc.account.name} in ${hub.vpc.region}`;
    try {
      const listed = await new Route53ProfilesReader({ region: hub.vpc.region, credentials, endpoint: this.endpoint }).listProfiles();
      const owned = listed.filter((p) => p.ShareStatus !== "SHARED_WITH_ME");
      const group = this.model.hubs.filter((h) => h.sharing === "profile" && h.vpc.account.name === hub.vpc.account.name && h.vpc.region === hub.vpc.region);
      // One line per account and Region: made with its first hub.
      if (group[0] === hub) {
        const missing = group.filter((h) => !owned.some((p) => p.Name === hubProfileName(h.name)));
        const limit = quotaValue("profilesPerRegion", this.model.quotas);
        const needed = owned.length + missing.length;
        const source = this.model.quotas.profilesPerRegion ? "declared in quotas.profilesPerRegion" : "AWS's default";
        this.add("quotas", subject, needed <= limit ? "ok" : "fail", `${owned.length} exist, this topology creates ${missing.length} (${missing.map((h) => `hub ${h.name}`).join(", ") || "none"}): ${needed} of ${limit} (${source})${needed > limit ? "; delete unused Profiles, raise the quota and declare it, or keep a hub on sharing: zones" : ""}`);
      }
      return owned.find((p) => p.Name === hubProfileName(hub.name))?.Id;
    } catch (error) {
      this.add("quotas", subject, "warn", `could not list Route 53 Profiles: ${message(error)}`);
      return undefined;
    }
  }
}

/** Runs every check; the report lists them all. */
export function preflight(model: TopologyModel): Promise<PreflightCheck[]> {
  return new Preflight(model).run();
}

/** The report as lines: one per check, failures marked. */
export function formatPreflight(checks: readonly PreflightCheck[]): string {
  const mark = { ok: "ok  ", warn: "warn", fail: "FAIL", note: "note" } as const;
  const lines = checks.map((c) => `${mark[c.status]} ${c.area.padEnd(11)} ${c.subject}: ${c.detail}`);
  const failed = checks.filter((c) => c.status === "fail").length;
  const warned = checks.filter((c) => c.status === "warn").length;
  const notes = checks.filter((c) => c.status === "note").length;
  lines.push(`preflight: ${checks.length} checks, ${failed} failed, ${warned} could not be made${notes ? `, ${notes} note(s)` : ""}${failed === 0 ? "; nothing found that AWS would refuse" : ""}`);
  return `${lines.join("\n")}\n`;
}
