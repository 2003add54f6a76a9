import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { VpcEndpointService } from "@cdktf/provider-aws/lib/vpc-endpoint-service";
import { named } from "./naming";

export interface EndpointServiceProps {
  readonly provider: TerraformProvider;
  readonly name: string;
  /** Region of the service (its own region is always among the supported ones). */
  readonly region: string;
  readonly networkLoadBalancerArns: readonly string[];
  /** Default true: every connection waits for the owner's acceptance. */
  readonly acceptanceRequired?: boolean;
  /** Principals allowed to create endpoints; `*` only with `allowAnyPrincipal`. */
  readonly allowedPrincipals: readonly string[];
  readonly allowAnyPrincipal?: boolean;
  /** Regions consumers may connect from (cross-region PrivateLink); the service's own is added. */
  readonly supportedRegions?: readonly string[];
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
  readonly serviceId: string;
  readonly serviceName: string;
  readonly supportedRegions: readonly string[];
  /** TXT record proving ownership of `privateDnsName` (name, type, value), when one is set. */
  readonly privateDnsVerification?: { readonly name: string; readonly type: string; readonly value: string };

  constructor(scope: Construct, id: string, props: EndpointServiceProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.allowedPrincipals.includes("*") && !props.allowAnyPrincipal) problems.push('"*" principal without allowAnyPrincipal');
    if (props.networkLoadBalancerArns.length === 0) problems.push("no network load balancer");
    if (problems.length > 0) throw new Error(`EndpointService ${props.name}: ${problems.join("; ")}`);
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
