/**
 * The validated model: references resolved to objects, defaults applied, derived values computed once.
 * Stacks read only this; it is built from a topology that passed `schema.ts` and `rules.ts`.
 */
import { parseServiceName, partitionOf, planServiceDns, ServiceDnsPlan } from "../modules/service-catalog";
import { BackendSpec, HubServiceSpec, TargetSpec, Topology } from "./schema";

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
}

export interface SpokeModel {
  readonly name: string;
  readonly stackName: string;
  readonly vpc: VpcModel;
  readonly hub: HubModel;
  readonly association: "script" | "native";
}

export interface OnPremModel {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly hub: HubModel;
}

export interface TopologyModel {
  readonly name: string;
  readonly description?: string;
  readonly target: TargetSpec;
  readonly backend: BackendSpec;
  readonly tags: Readonly<Record<string, string>>;
  readonly accounts: ReadonlyMap<string, AccountModel>;
  readonly vpcs: ReadonlyMap<string, VpcModel>;
  readonly hubs: readonly HubModel[];
  readonly spokes: readonly SpokeModel[];
  readonly onPrem: readonly OnPremModel[];
}

export const stackNames = {
  hub: (hub: string) => `hub-${hub}`,
  spoke: (spoke: string) => `spoke-${spoke}`,
};

function serviceSpec(entry: HubServiceSpec): Exclude<HubServiceSpec, string> {
  return typeof entry === "string" ? { name: entry } : entry;
}

/** Every client CIDR of a hub: its own VPC, its spokes, its on-prem networks, then the extras; deduplicated, in that order. */
export function hubClientCidrs(hub: HubModel): string[] {
  const cidrs = [hub.vpc.cidr, ...hub.spokes.map((s) => s.vpc.cidr), ...hub.onPrem.flatMap((o) => o.cidrs), ...hub.extraClientCidrs];
  return [...new Set(cidrs)];
}

/** Builds the model; assumes the topology is valid (see `load.ts`). */
export function buildModel(topology: Topology): TopologyModel {
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
    return {
      name,
      stackName: stackNames.hub(name),
      vpc,
      subnets: pickSubnets(vpc, h.subnets),
      services: h.services.map((entry) => {
        const spec = serviceSpec(entry);
        const parsed = parseServiceName(spec.name, vpc.region);
        if (!parsed.ok) throw new Error(`unvalidated service ${spec.name}`);
        return planServiceDns(parsed.short, vpc.region, { dnsNames: spec.dnsNames, dualStack: spec.dualStack });
      }),
      extraClientCidrs: h.allowedCidrs ?? [],
      spokes: [],
      onPrem: [],
    };
  });
  const hubByName = new Map(hubs.map((h) => [h.name, h]));
  const onlyHub = hubs.length === 1 ? hubs[0] : undefined;

  const spokes: SpokeModel[] = Object.entries(topology.spokes ?? {}).map(([name, s]) => {
    const hub = s.hub ? hubByName.get(s.hub)! : onlyHub!;
    const spoke: SpokeModel = {
      name,
      stackName: stackNames.spoke(name),
      vpc: vpcs.get(s.vpc)!,
      hub,
      association: s.association ?? "script",
    };
    hub.spokes.push(spoke);
    return spoke;
  });

  const onPrem: OnPremModel[] = Object.entries(topology.onPrem ?? {}).map(([name, o]) => {
    const hub = o.hub ? hubByName.get(o.hub)! : onlyHub!;
    const network: OnPremModel = { name, cidrs: o.cidrs, hub };
    hub.onPrem.push(network);
    return network;
  });

  return {
    name: topology.name,
    description: topology.description,
    target: topology.target ?? { kind: "aws" },
    backend: topology.backend ?? { kind: "local" },
    tags: topology.tags ?? {},
    accounts,
    vpcs,
    hubs,
    spokes,
    onPrem,
  };
}
