import { Construct } from "constructs";
import { TerraformOutput } from "../framework/core";
import { ConsumerEndpoint } from "../modules/consumer-endpoint";
import { ConsumerModel, TopologyModel } from "../topology/model";
import { PrivateLinkStack } from "./base-stack";
import { ProviderStack, SERVICE_OUTPUTS } from "./provider-stack";

/**
 * One consumer VPC of a PrivateLink service: interface endpoint (with `service_region` when the service
 * is in another region), its security group, and, for services that require acceptance, either the
 * acceptance made as the owner (aliased provider of the owner's account) or the command the owner runs.
 */
export class ConsumerStack extends PrivateLinkStack {
  readonly consumer: ConsumerModel;
  readonly endpoint: ConsumerEndpoint;

  constructor(scope: Construct, model: TopologyModel, consumer: ConsumerModel, owner?: ProviderStack) {
    super(scope, consumer.stackName, model);
    this.consumer = consumer;
    const service = consumer.service;
    const provider = this.provider(consumer.vpc.account, consumer.vpc.region);
    const ownService = service.provider;
    // The owner's service, from its stack's state: placeholders until that stack is applied.
    const ownerOutputs = owner ? this.upstream(owner) : undefined;
    const serviceName = ownerOutputs ? ownerOutputs.value(SERVICE_OUTPUTS.serviceName) : service.awsService!.serviceName;
    const serviceId = ownerOutputs ? ownerOutputs.value(SERVICE_OUTPUTS.serviceId) : undefined;
    const accept = ownService?.acceptanceRequired === true && consumer.acceptance === "auto";

    this.endpoint = new ConsumerEndpoint(this, "endpoint", {
      provider,
      name: `${service.name}-${consumer.name}`,
      vpcId: consumer.vpc.vpcId,
      subnetIds: consumer.subnets.map((s) => s.id),
      serviceName,
      serviceRegion: consumer.crossRegion ? service.region : undefined,
      ports: service.ports,
      clientCidrs: consumer.allowedCidrs,
      acceptance: accept && serviceId ? { ownerProvider: this.provider(ownService!.vpc.account, service.region), serviceId } : undefined,
      autoAccepted: ownService?.acceptanceRequired === false,
      privateDns: consumer.privateDns,
      existingSecurityGroupId: consumer.securityGroupId,
    });

    if (ownerOutputs && owner) {
      ownerOutputs.require(
        this.endpoint.endpoint,
        SERVICE_OUTPUTS.serviceName,
        undefined,
        `${owner.stackName} has no service_name in its state yet: apply ${owner.stackName} first (privatelink deploy applies stacks in dependency order). No endpoint was created.`,
      );
    }

    new TerraformOutput(this, "endpoint_id", { value: this.endpoint.endpointId });
    new TerraformOutput(this, "regional_dns_name", {
      description: "Regional DNS name of the endpoint: what clients call (e.g. curl http://<name>).",
      value: this.endpoint.regionalDnsName,
    });
    new TerraformOutput(this, "dns_names", { description: "Regional name first, then one name per availability zone.", value: this.endpoint.dnsNames });
    if (ownService?.acceptanceRequired && consumer.acceptance === "manual") {
      new TerraformOutput(this, "accept_command", {
        description: "The service owner runs this (in account " + ownService.vpc.account.id + ") to accept the connection.",
        value: `aws ec2 accept-vpc-endpoint-connections --region ${service.region} --service-id ${serviceId} --vpc-endpoint-ids ${this.endpoint.endpointId}`,
      });
    }
  }
}
