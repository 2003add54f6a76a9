import { Construct } from "constructs";
import { Fn, propertyAccess, TerraformProvider, Token } from "../framework/core";
import { Route53ResolverEndpoint } from "../framework/aws";
import { IngressSecurityGroup } from "./ingress-security-group";
import { throwIfProblems } from "./errors";
import { named } from "./naming";

/** One address of the endpoint: a subnet, and optionally the IP pinned in it. */
export interface ResolverAddress {
  readonly subnetId: string;
  /** Availability zone of the subnet (checked: two zones at least). */
  readonly availabilityZone: string;
  /**
   * The address, pinned: on-prem forwarders point at it, so it must not move.
   * @default - AWS assigns one in the subnet
   */
  readonly ip?: string;
}

export interface ResolverInboundEndpointProps {
  /** Provider of the hub's account and region. */
  readonly provider: TerraformProvider;
  /** Base of the names (`<name>-inbound`, `<name>-resolver-inbound` security group). */
  readonly name: string;
  /** VPC whose private zones the endpoint answers for (the hub VPC). */
  readonly vpcId: string;
  /** Validated: two to six addresses (AWS's limits), in at least two availability zones. */
  readonly addresses: readonly ResolverAddress[];
  /** Networks allowed to query (DNS, TCP and UDP 53): the on-prem CIDRs. Validated: not empty, never wider than a /8. */
  readonly sourceCidrs: readonly string[];
  /**
   * An existing security group for the endpoint (an adopted estate): it gets the DNS rules, nothing else changes.
   * @default - a new group is created
   */
  readonly existingSecurityGroupId?: string;
}

/**
 * A Route 53 Resolver **inbound** endpoint: on-premises DNS servers forward the hub's zone names to its
 * addresses and get the private zones' answers (seed 001). Its security group admits DNS (TCP and UDP 53)
 * from the on-prem networks only.
 */
export class ResolverInboundEndpoint extends Construct {
  readonly endpoint: Route53ResolverEndpoint;
  readonly securityGroup: IngressSecurityGroup;
  /** Token of the endpoint id. */
  readonly endpointId: string;
  /** Token of the endpoint's addresses, sorted; usable from another stack (known at plan time when pinned). */
  readonly ips: string[];

  constructor(scope: Construct, id: string, props: ResolverInboundEndpointProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.addresses.length < 2) problems.push(`addresses has ${props.addresses.length}; AWS requires at least two`);
    if (new Set(props.addresses.map((a) => a.availabilityZone)).size < 2) problems.push("addresses span fewer than two availability zones");
    if (props.addresses.length > 6) problems.push(`addresses has ${props.addresses.length}; AWS allows at most six per endpoint`);
    if (props.sourceCidrs.length === 0) problems.push("sourceCidrs is empty: the endpoint would admit DNS from nobody");
    throwIfProblems(this, problems);

    this.securityGroup = new IngressSecurityGroup(this, "sg", {
      provider: props.provider,
      vpcId: props.vpcId,
      name: `${props.name}-resolver-inbound`,
      description: `Route 53 Resolver inbound endpoint of ${props.name}: DNS from on-premises networks`,
      ingress: [
        { protocol: "udp", port: 53, cidrs: props.sourceCidrs, description: "DNS (UDP) from on-premises" },
        { protocol: "tcp", port: 53, cidrs: props.sourceCidrs, description: "DNS (TCP) from on-premises" },
      ],
      existingGroupId: props.existingSecurityGroupId,
    });
    this.endpoint = named(
      new Route53ResolverEndpoint(this, "endpoint", {
        provider: props.provider,
        name: `${props.name}-inbound`,
        direction: "INBOUND",
        securityGroupIds: [this.securityGroup.securityGroupId],
        ipAddress: props.addresses.map((a) => ({ subnetId: a.subnetId, ip: a.ip })),
        tags: { Name: `${props.name}-inbound` },
      }),
      props.name,
      "inbound",
    );
    this.endpointId = this.endpoint.id;
    this.ips = Token.asList(Fn.sort(Token.asList(propertyAccess(this.endpoint.ipAddress, ["*", "ip"]))));
  }
}
