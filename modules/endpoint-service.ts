import { Construct } from "constructs";
import { TerraformProvider } from "../framework/core";
import { VpcEndpointService } from "../framework/aws";
import { throwIfProblems } from "./errors";
import { named } from "./naming";

export interface EndpointServiceProps {
  /** Provider of the owner's account and region. */
  readonly provider: TerraformProvider;
  /** Name of the service (`Name` tag). */
  readonly name: string;
  /** Region of the service (its own region is always among the supported ones). */
  readonly region: string;
  /** Load balancers behind the service. Validated: at least one. */
  readonly networkLoadBalancerArns: readonly string[];
  /**
   * Every connection waits for the owner's acceptance.
   * @default true
   */
  readonly acceptanceRequired?: boolean;
  /**
   * Principals allowed to create endpoints (`arn:aws:iam::<account>:root`, roles, users): the service's
   * complete list. Validated: `*` only with `allowAnyPrincipal`.
   */
  readonly allowedPrincipals: readonly string[];
  /**
   * Accept `*` in `allowedPrincipals`: any AWS account may request a connection.
   * @default false
   */
  readonly allowAnyPrincipal?: boolean;
  /**
   * Regions consumers may connect from (cross-region PrivateLink); the service's own is added.
   * @default - the service's own region only
   */
  readonly supportedRegions?: readonly string[];
  /**
   * Private DNS name consumers can enable once the owner has verified the domain (TXT record).
   * @default - none
   */
  readonly privateDnsName?: string;
}

/**
 * A VPC endpoint service (PrivateLink) in front of Network Load Balancers: acceptance required by
 * default, supported regions for cross-region consumers, and the domain-verification record the owner
 * must publish for a private DNS name.
 *
 * Principals are the service's inline `allowed_principals` set: this stack owns the complete list, so a
 * principal added out of band is removed on the next apply. Never combine it with
 * `aws_vpc_endpoint_service_allowed_principal` resources on the same service (the two fight over the set;
 * PaloAlto vmseries PR #243). The separate resource also reads back by service-permission id, which
 * emulators such as moto do not return (and terraform-provider-aws #30873).
 */
export class EndpointService extends Construct {
  readonly service: VpcEndpointService;
  /** Token of the service id (`vpce-svc-...`). */
  readonly serviceId: string;
  /** Token of the service name consumers connect to (`com.amazonaws.vpce.<region>.vpce-svc-...`). */
  readonly serviceName: string;
  /** The supported regions, the service's own included, sorted. */
  readonly supportedRegions: readonly string[];
  /** TXT record proving ownership of `privateDnsName` (name, type, value), when one is set. */
  readonly privateDnsVerification?: { readonly name: string; readonly type: string; readonly value: string };

  constructor(scope: Construct, id: string, props: EndpointServiceProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.allowedPrincipals.includes("*") && !props.allowAnyPrincipal) problems.push('allowedPrincipals has "*" (every AWS account) without allowAnyPrincipal: true');
    if (props.networkLoadBalancerArns.length === 0) problems.push("networkLoadBalancerArns is empty: the service needs a load balancer");
    throwIfProblems(this, problems);
    this.supportedRegions = [...new Set([props.region, ...(props.supportedRegions ?? [])])].sort();

    this.service = named(
      new VpcEndpointService(this, "service", {
        provider: props.provider,
        acceptanceRequired: props.acceptanceRequired ?? true,
        networkLoadBalancerArns: [...props.networkLoadBalancerArns],
        supportedRegions: [...this.supportedRegions],
        allowedPrincipals: [...props.allowedPrincipals],
        privateDnsName: props.privateDnsName,
        tags: { Name: props.name },
      }),
      props.name,
    );
    this.serviceId = this.service.id;
    this.serviceName = this.service.serviceName;

    if (props.privateDnsName) {
      const config = this.service.privateDnsNameConfiguration.get(0);
      this.privateDnsVerification = { name: config.name, type: config.type, value: config.value };
    }
  }
}
