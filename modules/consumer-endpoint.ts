import { Construct } from "constructs";
import { propertyAccess, TerraformProvider, Token } from "../framework/core";
import { VpcEndpoint, VpcEndpointConnectionAccepter, VpcEndpointPrivateDns } from "../framework/aws";
import { IngressSecurityGroup } from "./ingress-security-group";
import { throwIfProblems } from "./errors";
import { named } from "./naming";

export interface ConsumerEndpointProps {
  /** Provider of the consumer's account and region. */
  readonly provider: TerraformProvider;
  /** Base of the names (endpoint `Name` tag, `<name>-endpoint` security group). */
  readonly name: string;
  /** The consumer VPC. */
  readonly vpcId: string;
  /** Subnets of the endpoint (one network interface each). Validated: not empty. */
  readonly subnetIds: readonly string[];
  /** Endpoint service name (`com.amazonaws.vpce.<region>.vpce-svc-...`, or an AWS service's). */
  readonly serviceName: string;
  /**
   * Region of the service when it is not the consumer's (cross-region PrivateLink). Set at creation and
   * never modifiable: changing it replaces the endpoint, which `terraform plan` shows as "forces replacement".
   * @default - the service is in the consumer's region
   */
  readonly serviceRegion?: string;
  /** Ports of the service (TCP). */
  readonly ports: readonly number[];
  /** Clients allowed to reach the endpoint. Validated: not empty, never wider than a /8. */
  readonly clientCidrs: readonly string[];
  /**
   * Accept the connection as the service owner (only for services that require acceptance: an accepter
   * on a service that does not fails, provider issue #27761).
   * @default - no acceptance here (the service does not require it, or its owner accepts by hand)
   */
  readonly acceptance?: { readonly ownerProvider: TerraformProvider; readonly serviceId: string };
  /**
   * The service does not require acceptance: connections are available at once. Validated: never
   * together with `acceptance` (an accepter on such a service fails, provider issue #27761).
   * @default false
   */
  readonly autoAccepted?: boolean;
  /**
   * Enable the service's private DNS name once the connection is accepted (it cannot be enabled
   * before). Validated: needs `acceptance` (accepted in this stack) or `autoAccepted`.
   * @default false
   */
  readonly privateDns?: boolean;
  /**
   * An existing security group (an adopted endpoint's) that gets the service ports from `clientCidrs`; its
   * other rules are left alone.
   * @default - a group is created
   */
  readonly existingSecurityGroupId?: string;
}

/**
 * The consumer side of PrivateLink: an interface endpoint with its security group, optionally accepted
 * by the owner in the same apply. Overlapping consumer and provider CIDRs are fine: PrivateLink NATs.
 */
export class ConsumerEndpoint extends Construct {
  readonly endpoint: VpcEndpoint;
  readonly endpointId: string;
  readonly securityGroup: IngressSecurityGroup;
  readonly accepter?: VpcEndpointConnectionAccepter;
  /** Regional DNS name (what clients curl). */
  readonly regionalDnsName: string;
  /** Token of every DNS name of the endpoint: regional first, then one per AZ; usable from another stack. */
  readonly dnsNames: string[];

  constructor(scope: Construct, id: string, props: ConsumerEndpointProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.subnetIds.length === 0) problems.push("subnetIds is empty: the endpoint needs at least one subnet");
    if (props.privateDns && !props.acceptance && !props.autoAccepted) {
      problems.push("privateDns needs an accepted connection: give acceptance (accepted in this stack) or autoAccepted (the service accepts every connection)");
    }
    if (props.acceptance && props.autoAccepted) problems.push("acceptance and autoAccepted exclude each other: a service that accepts every connection has nothing to accept (provider issue #27761)");
    throwIfProblems(this, problems);
    this.securityGroup = new IngressSecurityGroup(this, "sg", {
      provider: props.provider,
      vpcId: props.vpcId,
      name: `${props.name}-endpoint`,
      description: `Interface endpoint of ${props.name}: service ports from its clients`,
      ingress: props.ports.map((port) => ({ protocol: "tcp" as const, port, cidrs: props.clientCidrs, description: `${props.name} clients` })),
      existingGroupId: props.existingSecurityGroupId,
    });
    this.endpoint = named(
      new VpcEndpoint(this, "endpoint", {
        provider: props.provider,
        vpcId: props.vpcId,
        serviceName: props.serviceName,
        serviceRegion: props.serviceRegion,
        vpcEndpointType: "Interface",
        privateDnsEnabled: false,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [this.securityGroup.securityGroupId],
        tags: { Name: props.name },
      }),
      props.name,
    );
    this.endpointId = this.endpoint.id;
    this.regionalDnsName = this.endpoint.dnsEntry.get(0).dnsName;
    this.dnsNames = Token.asList(propertyAccess(this.endpoint.dnsEntry, ["*", "dns_name"]));

    if (props.privateDns && props.autoAccepted) {
      named(
        new VpcEndpointPrivateDns(this, "private-dns", { provider: props.provider, vpcEndpointId: this.endpoint.id, privateDnsEnabled: true }),
        props.name,
      );
    }
    if (props.acceptance) {
      this.accepter = named(
        new VpcEndpointConnectionAccepter(this, "accept", {
          provider: props.acceptance.ownerProvider,
          vpcEndpointServiceId: props.acceptance.serviceId,
          vpcEndpointId: this.endpoint.id,
        }),
        props.name,
      );
      if (props.privateDns) {
        named(
          new VpcEndpointPrivateDns(this, "private-dns", {
            provider: props.provider,
            vpcEndpointId: this.endpoint.id,
            privateDnsEnabled: true,
            dependsOn: [this.accepter],
          }),
          props.name,
        );
      }
    }
  }
}
