import { Construct } from "constructs";
import { TerraformOutput } from "../framework/core";
import { EndpointService } from "../modules/endpoint-service";
import { NetworkLoadBalancer } from "../modules/network-load-balancer";
import { EndpointServiceModel, TopologyModel } from "../topology/model";
import { PrivateLinkStack } from "./base-stack";

/** The outputs consumers read from a service's stack (and `privatelink import` knows for an adopted service). */
export const SERVICE_OUTPUTS = { serviceName: "service_name", serviceId: "service_id" } as const;

/**
 * The service owner's side of a PrivateLink service: internal NLB (listeners, target groups, targets,
 * security groups) and the VPC endpoint service with its principals and supported regions.
 */
export class ProviderStack extends PrivateLinkStack {
  readonly service: EndpointServiceModel;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly endpointService: EndpointService;

  constructor(scope: Construct, model: TopologyModel, service: EndpointServiceModel) {
    super(scope, service.stackName!, model);
    this.service = service;
    const p = service.provider!;
    const provider = this.provider(p.vpc.account, p.vpc.region);
    const clientCidrs = [...new Set(service.consumers.flatMap((c) => c.allowedCidrs))];

    this.loadBalancer = new NetworkLoadBalancer(this, "nlb", {
      provider,
      name: service.name,
      vpcId: p.vpc.vpcId,
      vpcCidr: p.vpc.cidr,
      subnetIds: p.subnets.map((s) => s.id),
      availabilityZones: new Set(p.subnets.map((s) => s.az)).size,
      allowSingleAz: p.allowSingleAz,
      listeners: p.listeners,
      targets: p.targets,
      clientCidrs,
      loadBalancerName: p.loadBalancer?.name,
      targetGroupNames: p.loadBalancer?.targetGroups,
      existingSecurityGroupId: p.loadBalancer?.securityGroupId === "none" ? undefined : p.loadBalancer?.securityGroupId,
      withoutSecurityGroup: p.loadBalancer?.securityGroupId === "none",
    });
    this.endpointService = new EndpointService(this, "endpoint-service", {
      provider,
      name: service.name,
      region: service.region,
      networkLoadBalancerArns: [this.loadBalancer.loadBalancer.arn],
      acceptanceRequired: p.acceptanceRequired,
      allowedPrincipals: p.allowedPrincipals,
      allowAnyPrincipal: p.allowedPrincipals.includes("*"),
      supportedRegions: p.supportedRegions,
      privateDnsName: p.privateDnsName,
    });

    new TerraformOutput(this, SERVICE_OUTPUTS.serviceName, { description: "Endpoint service name consumers connect to.", value: this.endpointService.serviceName });
    new TerraformOutput(this, SERVICE_OUTPUTS.serviceId, { value: this.endpointService.serviceId });
    new TerraformOutput(this, "nlb_dns_name", { value: this.loadBalancer.loadBalancer.dnsName });
    new TerraformOutput(this, "supported_regions", { value: this.endpointService.supportedRegions });
    new TerraformOutput(this, "allowed_principals", { value: p.allowedPrincipals });
    if (this.endpointService.privateDnsVerification) {
      new TerraformOutput(this, "private_dns_verification", {
        description: `Publish this record in the public zone of ${p.privateDnsName} so AWS verifies the domain; consumers can enable private DNS afterwards.`,
        value: this.endpointService.privateDnsVerification,
      });
    }
  }
}
