import { Construct } from "constructs";
import { TerraformOutput } from "../framework/core";
import { CentralizedEndpoint } from "../modules/centralized-endpoint";
import { IngressSecurityGroup } from "../modules/ingress-security-group";
import { ProfileShare, profileName } from "../modules/profile-sharing";
import { ResolverInboundEndpoint } from "../modules/resolver-inbound";
import { HubModel, TopologyModel, hubClientCidrs } from "../topology/model";
import { PrivateLinkStack } from "./base-stack";

/**
 * The URL a client passes as `--endpoint-url` when it resolves public DNS: the endpoint's regional
 * name, which resolves publicly to the endpoint's private IPs. S3's regional name is a wildcard
 * (`*.vpce-...`): clients use the `bucket.vpce-...` form.
 */
function endpointUrl(service: string, regionalDnsName: string): string {
  return service === "s3" ? `https://bucket.\${replace(${regionalDnsName}, "*.", "")}` : `https://${regionalDnsName}`;
}

/** A zone of the hub, as spoke stacks see it. */
export interface HubZone {
  readonly service: string;
  readonly name: string;
  /** Token of the zone id; referencing it from another stack goes through remote state. */
  readonly zoneId: string;
}

/** Name of a hub's Route 53 Profile (`sharing: profile`); preflight looks it up by this name. */
export function hubProfileName(hubName: string): string {
  return profileName(`${hubName}-hub`);
}

/**
 * The hub: one interface endpoint per service (private DNS off) behind one security group that
 * admits 443 only from the hub's declared clients, and the private hosted zones that spokes join.
 */
export class HubStack extends PrivateLinkStack {
  readonly hub: HubModel;
  readonly endpoints: ReadonlyMap<string, CentralizedEndpoint>;
  readonly zones: readonly HubZone[];
  readonly resolver?: ResolverInboundEndpoint;
  /** The Route 53 Profile carrying the zones, shared through RAM (`sharing: profile`). */
  readonly profile?: ProfileShare;

  constructor(scope: Construct, model: TopologyModel, hub: HubModel) {
    super(scope, hub.stackName, model);
    this.hub = hub;
    const provider = this.provider(hub.vpc.account, hub.vpc.region);

    const clients = hubClientCidrs(hub);
    const securityGroup = new IngressSecurityGroup(this, "endpoint-sg", {
      provider,
      vpcId: hub.vpc.vpcId,
      name: `${hub.name}-hub-endpoints`,
      description: `HTTPS to the ${hub.name} hub's centralized VPC endpoints from its declared clients`,
      ingress: [{ protocol: "tcp", port: 443, cidrs: clients, description: "HTTPS from hub clients (hub, spokes, on-prem)" }],
      existingGroupId: hub.securityGroupId,
    });

    const endpoints = new Map<string, CentralizedEndpoint>();
    for (const service of hub.services) {
      endpoints.set(
        service.short,
        new CentralizedEndpoint(this, `service-${service.short}`, {
          provider,
          vpcId: hub.vpc.vpcId,
          vpcRegion: hub.vpc.region,
          subnetIds: hub.subnets.map((s) => s.id),
          securityGroupIds: [securityGroup.securityGroupId],
          service,
          hubName: hub.name,
          policy: hub.endpointPolicies.get(service.short),
        }),
      );
    }
    this.endpoints = endpoints;
    this.zones = [...endpoints.entries()].flatMap(([service, endpoint]) =>
      endpoint.zones.map((zone) => ({ service, name: zone.name, zoneId: zone.zoneId })),
    );

    if (hub.sharing === "profile") {
      const zoneArns = new Map([...endpoints.values()].flatMap((e) => e.zones.map((z) => [z.name, z.zone.arn] as const)));
      this.profile = new ProfileShare(this, "profile", {
        provider,
        name: hubProfileName(hub.name),
        zones: this.zones.map((z) => ({ name: z.name, zoneArn: zoneArns.get(z.name)! })),
        shareWith: hub.shareWith,
      });
      new TerraformOutput(this, "profile_id", { description: "Route 53 Profile carrying the zones; spokes in the hub's region associate it.", value: this.profile.profileId });
      new TerraformOutput(this, "profile_share_arn", {
        description: "RAM share of the Profile; spokes of other accounts accept it (when shared by account id).",
        value: this.profile.shareArn ?? "",
      });
    }

    new TerraformOutput(this, "zone_ids", {
      description: "Private hosted zone id per zone name; spokes join these zones.",
      value: Object.fromEntries(this.zones.map((z) => [z.name, z.zoneId])),
    });
    new TerraformOutput(this, "endpoint_ids", {
      description: "Interface endpoint id per service.",
      value: Object.fromEntries([...endpoints].map(([service, e]) => [service, e.endpointId])),
    });
    new TerraformOutput(this, "endpoint_dns_names", {
      description: "Regional DNS name of each service's endpoint (resolvable publicly, returns the endpoint's private IPs).",
      value: Object.fromEntries([...endpoints].map(([service, e]) => [service, e.regionalDnsName])),
    });
    new TerraformOutput(this, "endpoint_security_group_id", { value: securityGroup.securityGroupId });
    new TerraformOutput(this, "endpoint_urls", {
      description: "--endpoint-url for clients that resolve public DNS instead of the hub's zones (seed 001); S3 takes the bucket-style name.",
      value: Object.fromEntries([...endpoints].map(([service, e]) => [service, endpointUrl(service, e.regionalDnsName)])),
    });

    const onPremCidrs = [...new Set(hub.onPrem.flatMap((o) => o.cidrs))];
    if (onPremCidrs.length > 0) {
      this.resolver = new ResolverInboundEndpoint(this, "resolver", {
        provider,
        name: hub.name,
        vpcId: hub.vpc.vpcId,
        addresses: hub.resolver.addresses.map((a) => ({ subnetId: a.subnet.id, availabilityZone: a.subnet.az, ip: a.ip })),
        sourceCidrs: onPremCidrs,
        existingSecurityGroupId: hub.resolver.securityGroupId,
      });
      new TerraformOutput(this, "resolver_inbound_ips", {
        description: "Addresses on-premises DNS forwards the hub's zone names to (npx onprem-dns renders the forwarder configuration).",
        value: this.resolver.ips,
      });
    }
  }
}
