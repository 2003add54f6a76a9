import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { Route53ResolverEndpoint } from "@cdktf/provider-aws/lib/route53-resolver-endpoint";
import { IngressSecurityGroup } from "./ingress-security-group";
import { named } from "./naming";

export interface ResolverInboundEndpointProps {
  readonly provider: TerraformProvider;
  readonly name: string;
  readonly vpcId: string;
  /** At least two addresses in two availability zones; `ip` pins one (on-prem forwarders point at it). */
  readonly addresses: ReadonlyArray<{ readonly subnetId: string; readonly availabilityZone: string; readonly ip?: string }>;
  /** Networks allowed to query (DNS, TCP and UDP 53): the on-prem CIDRs. */
  readonly sourceCidrs: readonly string[];
}

/**
 * A Route 53 Resolver **inbound** endpoint: on-premises DNS servers forward the hub's zone names to its
 * addresses and get the private zones' answers (seed 001). Its security group admits DNS (TCP and UDP 53)
 * from the on-prem networks only.
 */
export class ResolverInboundEndpoint extends Construct {
  readonly endpoint: Route53ResolverEndpoint;
  readonly securityGroup: IngressSecurityGroup;
  /** The endpoint's addresses, sorted (known at plan time when pinned). */
  readonly ips: string;

  constructor(scope: Construct, id: string, props: ResolverInboundEndpointProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.addresses.length < 2) problems.push(`${props.addresses.length} address(es); AWS requires at least two`);
    if (new Set(props.addresses.map((a) => a.availabilityZone)).size < 2) problems.push("addresses in fewer than two availability zones");
    if (props.addresses.length > 6) problems.push("more than six addresses");
    if (props.sourceCidrs.length === 0) problems.push("no source network");
    if (problems.length > 0) throw new Error(`ResolverInboundEndpoint ${props.name}: ${problems.join("; ")}`);

    this.securityGroup = new IngressSecurityGroup(this, "sg", {
      provider: props.provider,
      vpcId: props.vpcId,
      name: `${props.name}-resolver-inbound`,
      description: `Route 53 Resolver inbound endpoint of ${props.name}: DNS from on-premises networks`,
      ingress: [
        { protocol: "udp", port: 53, cidrs: props.sourceCidrs, description: "DNS (UDP) from on-premises" },
        { protocol: "tcp", port: 53, cidrs: props.sourceCidrs, description: "DNS (TCP) from on-premises" },
      ],
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
    this.ips = `\${sort([for address in ${this.endpoint.terraformResourceType}.${this.endpoint.friendlyUniqueId}.ip_address : address.ip])}`;
  }
}
