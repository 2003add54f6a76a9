/**
 * The validated model: references resolved to objects, defaults applied, derived values computed once.
 * Stacks read only this; it is built from a topology that passed `schema.ts` and `rules.ts`.
 */
import { withoutCovered } from "../aws/cidr";
import { compactPolicy, organizationPolicy } from "../aws/endpoint-policies";
import { partitionOf } from "../aws/partitions";
import { awsServiceName, parseConsumedAwsService, parseServiceName, planServiceDns, ServiceDnsPlan } from "../aws/service-catalog";
import { BackendSpec, HubServiceSpec, QuotasSpec, ResolverSpec, TargetSpec, Topology } from "./schema";

export interface AccountModel {
  readonly name: string;
  readonly id: string;
  readonly deployRoleArn: string;
}

export interface SubnetModel {
  readonly id: string;
  readonly az: string;
  readonly azId?: string;
  readonly cidr: string;
}

export interface VpcModel {
  readonly name: string;
  readonly account: AccountModel;
  readonly region: string;
  readonly partition: string;
  readonly vpcId: string;
  readonly cidr: string;
  readonly subnets: readonly SubnetModel[];
}

export interface HubModel {
  readonly name: string;
  readonly stackName: string;
  readonly vpc: VpcModel;
  readonly subnets: readonly SubnetModel[];
  readonly services: readonly ServiceDnsPlan[];
  /** Extra client CIDRs declared on the hub (spokes and on-prem are added by the stack from `spokes`/`onPrem`). */
  readonly extraClientCidrs: readonly string[];
  readonly spokes: SpokeModel[];
  readonly onPrem: OnPremModel[];
  /** Resolver inbound endpoint settings; created only when on-prem networks use the hub. */
  readonly resolver: ResolverModel;
  /** How spokes reach the zones: each zone (`zones`), or a Route 53 Profile for the hub's region (`profile`). */
  readonly sharing: "zones" | "profile";
  /**
   * RAM principals of the Profile (profile sharing): declared, or the accounts of the spokes in the hub's
   * region other than the hub's own, sorted. Filled in once the spokes are known.
   */
  readonly shareWith: string[];
  /**
   * The endpoint policy of each service (by short name, e.g. `s3`), compact JSON: the service's policy file,
   * else the hub's organization policy. A service without one keeps AWS's default policy (full access).
   */
  readonly endpointPolicies: ReadonlyMap<string, string>;
  /** An existing security group for the endpoints (an adopted estate); undefined: the stack creates one. */
  readonly securityGroupId?: string;
}

export interface ResolverModel {
  /** One address per entry: pinned `ip`, or assigned by AWS in `subnet`. */
  readonly addresses: ReadonlyArray<{ readonly subnet: SubnetModel; readonly ip?: string }>;
  /** The addresses are fixed in the topology (forwarders can be configured before any apply). */
  readonly pinned: boolean;
  /** An existing security group to use (an adopted estate); undefined: the stack creates one. */
  readonly securityGroupId?: string;
}

export interface SpokeModel {
  readonly name: string;
  readonly stackName: string;
  readonly vpc: VpcModel;
  readonly hub: HubModel;
  /** `profile`: the spoke is in the region of a hub shared through a Route 53 Profile, and associates it. */
  readonly association: "script" | "native" | "profile";
}

export interface OnPremModel {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly hub: HubModel;
}

export interface ListenerModel {
  readonly port: number;
  readonly targetPort: number;
}

/** The owner side of a PrivateLink service of our own (NLB + endpoint service). */
export interface ServiceProviderModel {
  readonly vpc: VpcModel;
  readonly subnets: readonly SubnetModel[];
  readonly listeners: readonly ListenerModel[];
  readonly targets: { readonly type: "instance" | "ip"; readonly ids: readonly string[]; readonly securityGroupId?: string };
  readonly acceptanceRequired: boolean;
  /** Explicit, or derived: `arn:<partition>:iam::<account>:root` of every consumer account. */
  readonly allowedPrincipals: readonly string[];
  /** Explicit, or derived: the consumers' regions and the service's own, sorted. */
  readonly supportedRegions: readonly string[];
  readonly privateDnsName?: string;
  /** The topology accepts an NLB in one AZ (only without cross-region consumers). */
  readonly allowSingleAz: boolean;
  /** What an existing (adopted) load balancer was built with: its name, security group ("none": it has none), target group names by port. */
  readonly loadBalancer?: { readonly name?: string; readonly securityGroupId?: string; readonly targetGroups?: Readonly<Record<number, string>> };
}

export interface EndpointServiceModel {
  readonly name: string;
  /** Stack of the owner side (own services only). */
  readonly stackName?: string;
  /** Region the service lives in. */
  readonly region: string;
  readonly partition: string;
  readonly provider?: ServiceProviderModel;
  /** AWS-owned service consumed through PrivateLink (e.g. s3 in us-east-1). */
  readonly awsService?: { readonly short: string; readonly serviceName: string };
  /** Ports consumers reach: the listeners, or 443 for AWS services. */
  readonly ports: readonly number[];
  readonly consumers: ConsumerModel[];
}

export interface ConsumerModel {
  readonly name: string;
  readonly stackName: string;
  readonly service: EndpointServiceModel;
  readonly vpc: VpcModel;
  readonly subnets: readonly SubnetModel[];
  readonly allowedCidrs: readonly string[];
  readonly acceptance: "auto" | "manual";
  readonly privateDns: boolean;
  /** The consumer is in another region than the service: the endpoint names the service's region. */
  readonly crossRegion: boolean;
  /** An existing security group of the endpoint (adopted estate); undefined: one is created. */
  readonly securityGroupId?: string;
}

export interface TopologyModel {
  readonly name: string;
  readonly description?: string;
  readonly target: TargetSpec;
  readonly backend: BackendSpec;
  readonly tags: Readonly<Record<string, string>>;
  /** Quotas the accounts have raised (`quotas:`); AWS's defaults otherwise (aws/quotas.ts). */
  readonly quotas: QuotasSpec;
  readonly accounts: ReadonlyMap<string, AccountModel>;
  readonly vpcs: ReadonlyMap<string, VpcModel>;
  readonly hubs: readonly HubModel[];
  readonly spokes: readonly SpokeModel[];
  readonly onPrem: readonly OnPremModel[];
  readonly services: readonly EndpointServiceModel[];
  readonly consumers: readonly ConsumerModel[];
}

export const stackNames = {
  hub: (hub: string) => `hub-${hub}`,
  spoke: (spoke: string) => `spoke-${spoke}`,
  service: (service: string) => `service-${service}`,
  consumer: (service: string, consumer: string) => `consumer-${service}-${consumer}`,
};

/** The principal that admits a whole account: `arn:<partition>:iam::<id>:root`. */
export function accountRootPrincipal(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

function serviceSpec(entry: HubServiceSpec): Exclude<HubServiceSpec, string> {
  return typeof entry === "string" ? { name: entry } : entry;
}

/**
 * Every client CIDR of a hub: its own VPC, its spokes, its on-prem networks, then the extras; without
 * those another one contains (an `allowedCidrs` entry of 10.0.0.0/8 covers every 10.x spoke: one rule,
 * not hundreds), in that order.
 */
export function hubClientCidrs(hub: HubModel): string[] {
  return withoutCovered([hub.vpc.cidr, ...hub.spokes.map((s) => s.vpc.cidr), ...hub.onPrem.flatMap((o) => o.cidrs), ...hub.extraClientCidrs]);
}

/**
 * Resolver addresses: the pinned ones, else one AWS-assigned address in the first subnet of each
 * availability zone of `resolver.subnets` (default: the hub's subnets), up to six (AWS's limit).
 */
function resolverOf(vpc: VpcModel, hubSubnets: readonly SubnetModel[], spec: ResolverSpec | undefined): ResolverModel {
  const subnet = (id: string) => vpc.subnets.find((s) => s.id === id)!;
  if (spec?.ipAddresses) {
    return { addresses: spec.ipAddresses.map((a) => ({ subnet: subnet(a.subnet), ip: a.ip })), pinned: true, securityGroupId: spec.securityGroupId };
  }
  const candidates = spec?.subnets ? spec.subnets.map(subnet) : hubSubnets;
  const firstPerAz = new Map<string, SubnetModel>();
  for (const s of candidates) if (!firstPerAz.has(s.az)) firstPerAz.set(s.az, s);
  return { addresses: [...firstPerAz.values()].slice(0, 6).map((s) => ({ subnet: s })), pinned: false, securityGroupId: spec?.securityGroupId };
}

/** Files a topology names, already read and checked by `load.ts`: each service's policy, by `policyKey`. */
export interface NamedFiles {
  readonly policies?: ReadonlyMap<string, string>;
}

/** Where a hub service's policy file text is kept in NamedFiles.policies. */
export const policyKey = (hub: string, serviceIndex: number): string => `${hub}/${serviceIndex}`;

/** Builds the model; assumes the topology is valid (see `load.ts`). */
export function buildModel(topology: Topology, files: NamedFiles = {}): TopologyModel {
  const accounts = new Map<string, AccountModel>(
    Object.entries(topology.accounts).map(([name, a]) => [name, { name, id: a.id, deployRoleArn: a.deployRoleArn }]),
  );
  const vpcs = new Map<string, VpcModel>(
    Object.entries(topology.vpcs).map(([name, v]) => [
      name,
      {
        name,
        account: accounts.get(v.account)!,
        region: v.region,
        partition: partitionOf(v.region),
        vpcId: v.vpcId,
        cidr: v.cidr,
        subnets: v.subnets.map((s) => ({ id: s.id, az: s.az, azId: s.azId, cidr: s.cidr })),
      },
    ]),
  );
  const pickSubnets = (vpc: VpcModel, ids: readonly string[] | undefined): SubnetModel[] =>
    ids === undefined ? [...vpc.subnets] : ids.map((id) => vpc.subnets.find((s) => s.id === id)!);

  const hubs: HubModel[] = Object.entries(topology.hubs ?? {}).map(([name, h]) => {
    const vpc = vpcs.get(h.vpc)!;
    const hubSubnets = pickSubnets(vpc, h.subnets);
    const endpointPolicies = new Map<string, string>();
    const services = h.services.map((entry, index) => {
      const spec = serviceSpec(entry);
      const parsed = parseServiceName(spec.name, vpc.region);
      if (!parsed.ok) throw new Error(`unvalidated service ${spec.name}`);
      const file = spec.policyFile === undefined ? undefined : files.policies?.get(policyKey(name, index));
      if (spec.policyFile !== undefined && file === undefined) throw new Error(`policy file ${spec.policyFile} was not read`);
      const policy = file !== undefined ? compactPolicy(file) : h.endpointPolicy ? organizationPolicy(h.endpointPolicy.organizationId, parsed.short) : undefined;
      if (policy !== undefined) endpointPolicies.set(parsed.short, policy);
      return planServiceDns(parsed.short, vpc.region, { dnsNames: spec.dnsNames, dualStack: spec.dualStack });
    });
    return {
      name,
      stackName: stackNames.hub(name),
      vpc,
      subnets: hubSubnets,
      resolver: resolverOf(vpc, hubSubnets, h.resolver),
      services,
      endpointPolicies,
      extraClientCidrs: h.allowedCidrs ?? [],
      spokes: [],
      onPrem: [],
      sharing: h.sharing ?? "zones",
      shareWith: [...(h.shareWith ?? [])],
      securityGroupId: h.securityGroupId,
    };
  });
  const hubByName = new Map(hubs.map((h) => [h.name, h]));
  const onlyHub = hubs.length === 1 ? hubs[0] : undefined;

  const spokes: SpokeModel[] = Object.entries(topology.spokes ?? {}).map(([name, s]) => {
    const hub = s.hub ? hubByName.get(s.hub)! : onlyHub!;
    const vpc = vpcs.get(s.vpc)!;
    const spoke: SpokeModel = {
      name,
      stackName: stackNames.spoke(name),
      vpc,
      hub,
      association: hub.sharing === "profile" && vpc.region === hub.vpc.region ? "profile" : (s.association ?? "script"),
    };
    hub.spokes.push(spoke);
    return spoke;
  });
  for (const hub of hubs) {
    if (hub.sharing !== "profile" || topology.hubs?.[hub.name]?.shareWith) continue;
    const accountsServed = hub.spokes.filter((s) => s.association === "profile" && s.vpc.account.id !== hub.vpc.account.id).map((s) => s.vpc.account.id);
    hub.shareWith.push(...[...new Set(accountsServed)].sort());
  }

  const onPrem: OnPremModel[] = Object.entries(topology.onPrem ?? {}).map(([name, o]) => {
    const hub = o.hub ? hubByName.get(o.hub)! : onlyHub!;
    const network: OnPremModel = { name, cidrs: o.cidrs, hub };
    hub.onPrem.push(network);
    return network;
  });

  const services: EndpointServiceModel[] = [];
  const consumers: ConsumerModel[] = [];
  for (const [name, spec] of Object.entries(topology.privateLink ?? {})) {
    const providerVpc = spec.provider ? vpcs.get(spec.provider.vpc)! : undefined;
    const region = providerVpc ? providerVpc.region : spec.awsService!.region;
    const consumerVpcs = Object.values(spec.consumers).map((c) => vpcs.get(c.vpc)!);
    const partition = partitionOf(region);
    let provider: ServiceProviderModel | undefined;
    if (spec.provider && providerVpc) {
      const p = spec.provider;
      provider = {
        vpc: providerVpc,
        subnets: pickSubnets(providerVpc, p.subnets),
        listeners: p.listeners.map((l) => ({ port: l.port, targetPort: l.targetPort ?? l.port })),
        targets: { type: p.targets.type, ids: p.targets.ids, securityGroupId: p.targets.securityGroupId },
        acceptanceRequired: p.acceptanceRequired ?? true,
        allowedPrincipals:
          p.allowedPrincipals ?? [...new Set(consumerVpcs.map((v) => accountRootPrincipal(partition, v.account.id)))].sort(),
        // The service's own region is always supported (AWS lists it; leaving it out would show as drift).
        supportedRegions: [...new Set([region, ...(p.supportedRegions ?? consumerVpcs.map((v) => v.region))])].sort(),
        privateDnsName: p.privateDnsName,
        allowSingleAz: p.allowSingleAz ?? false,
        loadBalancer: p.loadBalancer
          ? {
              name: p.loadBalancer.name,
              securityGroupId: p.loadBalancer.securityGroupId,
              targetGroups: p.loadBalancer.targetGroups ? Object.fromEntries(Object.entries(p.loadBalancer.targetGroups).map(([port, n]) => [Number(port), n])) : undefined,
            }
          : undefined,
      };
    }
    const parsedAws = spec.awsService ? parseConsumedAwsService(spec.awsService.name, region) : undefined;
    if (parsedAws && !parsedAws.ok) throw new Error(`unvalidated AWS service ${spec.awsService!.name}`);
    const awsShort = parsedAws?.ok ? parsedAws.short : undefined;
    const service: EndpointServiceModel = {
      name,
      stackName: provider ? stackNames.service(name) : undefined,
      region,
      partition,
      provider,
      awsService: awsShort ? { short: awsShort, serviceName: awsServiceName(awsShort, region) } : undefined,
      ports: provider ? [...new Set(provider.listeners.map((l) => l.port))] : [443],
      consumers: [],
    };
    for (const [consumerName, c] of Object.entries(spec.consumers)) {
      const vpc = vpcs.get(c.vpc)!;
      const consumer: ConsumerModel = {
        name: consumerName,
        stackName: stackNames.consumer(name, consumerName),
        service,
        vpc,
        subnets: pickSubnets(vpc, c.subnets),
        allowedCidrs: c.allowedCidrs ?? [vpc.cidr],
        acceptance: c.acceptance ?? "auto",
        privateDns: c.privateDns ?? false,
        crossRegion: vpc.region !== region,
        securityGroupId: c.securityGroupId,
      };
      service.consumers.push(consumer);
      consumers.push(consumer);
    }
    services.push(service);
  }

  return {
    name: topology.name,
    description: topology.description,
    target: topology.target ?? { kind: "aws" },
    backend: topology.backend ?? { kind: "local" },
    tags: topology.tags ?? {},
    quotas: topology.quotas ?? {},
    accounts,
    vpcs,
    hubs,
    spokes,
    onPrem,
    services,
    consumers,
  };
}
