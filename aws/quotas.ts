/**
 * AWS quotas a topology can exceed, with their default values and where they are stated. Validation
 * refuses at synth what AWS would refuse at apply; an account whose quota was raised declares the raised
 * value in the topology (`quotas:`). Values and sources read on 2026-11-23.
 */

export interface Quota {
  /** AWS's name of the quota. */
  readonly name: string;
  /** What the value counts, per what. */
  readonly scope: string;
  readonly default: number;
  /** AWS raises it on request: the topology may declare a higher value. */
  readonly adjustable: boolean;
  readonly source: string;
}

const ROUTE53 = "Route 53 Developer Guide, Quotas (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html)";
const VPC = "Amazon VPC User Guide, Amazon VPC quotas (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html)";
const PRIVATELINK = "AWS PrivateLink Guide, AWS PrivateLink quotas (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-limits-endpoints.html)";
const NLB = "Network Load Balancers Guide, Quotas (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html)";

export const QUOTAS = {
  vpcsPerHostedZone: {
    name: "Amazon VPCs that you can associate with a private hosted zone",
    scope: "per private hosted zone",
    default: 300,
    adjustable: true,
    source: `${ROUTE53}: 300 today ("If you want more than 300 associations, we recommend Route 53 Profiles"); earlier versions of the page said 100`,
  },
  authorizationsPerHostedZone: {
    name: "Authorizations that you can create so you can associate Amazon VPCs created by one account with a hosted zone created by another account",
    scope: "per private hosted zone",
    default: 100,
    adjustable: false,
    source: ROUTE53,
  },
  hostedZonesPerAccount: {
    name: "Hosted zones",
    scope: "per account",
    default: 500,
    adjustable: true,
    source: ROUTE53,
  },
  resolverEndpointsPerRegion: {
    name: "Route 53 Resolver endpoints",
    scope: "per account and Region",
    default: 4,
    adjustable: true,
    source: `${ROUTE53}, quotas on Route 53 Resolver`,
  },
  resolverIpsPerEndpoint: {
    name: "IP addresses per Route 53 Resolver endpoint",
    scope: "per endpoint",
    default: 6,
    adjustable: false,
    source: `${ROUTE53}, quotas on Route 53 Resolver`,
  },
  interfaceEndpointsPerVpc: {
    name: "Interface and Gateway Load Balancer endpoints per VPC",
    scope: "per VPC",
    default: 50,
    adjustable: true,
    source: PRIVATELINK,
  },
  rulesPerSecurityGroup: {
    name: "Inbound or outbound rules per security group",
    scope: "per security group and direction (rules per group times groups per interface may not exceed 1,000)",
    default: 60,
    adjustable: true,
    source: VPC,
  },
  listenersPerNetworkLoadBalancer: {
    name: "Listeners per Network Load Balancer",
    scope: "per load balancer",
    default: 50,
    adjustable: true,
    source: NLB,
  },
  profilesPerRegion: {
    name: "Profiles per account per Region (Route 53 Profiles)",
    scope: "per account and Region",
    default: 5,
    adjustable: true,
    source: `${ROUTE53}, quotas on Route 53 Profiles`,
  },
  vpcsPerProfile: {
    name: "VPCs that you can associate with a Profile",
    scope: "per Profile",
    default: 1000,
    adjustable: true,
    source: `${ROUTE53}, quotas on Route 53 Profiles (a VPC can be associated with only one Profile: not adjustable)`,
  },
} as const satisfies Record<string, Quota>;

export type QuotaKey = keyof typeof QUOTAS;

/** Quotas a topology may declare raised (the adjustable ones). */
export const ADJUSTABLE_QUOTAS = (Object.keys(QUOTAS) as QuotaKey[]).filter((k) => QUOTAS[k].adjustable);

/** The quota in force: the declared value when one is declared, else AWS's default. */
export function quotaValue(key: QuotaKey, declared: Partial<Record<string, number>> | undefined): number {
  const value = declared?.[key];
  return typeof value === "number" && value > 0 ? value : QUOTAS[key].default;
}
