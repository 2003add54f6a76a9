import { Construct } from "constructs";
import { TerraformProvider } from "../framework/core";
import { VpcEndpoint, Route53Zone, Route53Record } from "../framework/aws";
import { compactPolicy, policyProblems } from "../aws/endpoint-policies";
import { recordLogicalName } from "../aws/names";
import { ServiceDnsPlan } from "../aws/service-catalog";
import { throwIfProblems } from "./errors";
import { escapeTemplate } from "./literals";
import { named } from "./naming";

export interface CentralizedEndpointProps {
  /** Provider of the hub's account and region (see `AccountRegionProvider`). */
  readonly provider: TerraformProvider;
  /** The hub VPC: it holds the endpoint and is the zones' first (creation-time) VPC. */
  readonly vpcId: string;
  /** Region of the hub VPC. */
  readonly vpcRegion: string;
  /** Subnets of the endpoint; use two availability zones or more for a hub others depend on. Validated: not empty. */
  readonly subnetIds: readonly string[];
  /** Security groups of the endpoint (typically an `IngressSecurityGroup` admitting 443). Validated: not empty. */
  readonly securityGroupIds: readonly string[];
  /** Service name and the zones and records its clients need: `planServiceDns("ssm", region)`. */
  readonly service: ServiceDnsPlan;
  /** Name of the hub, used in the endpoint's `Name` tag and the zones' comments. */
  readonly hubName: string;
  /**
   * The endpoint policy (a JSON policy document), e.g. `organizationPolicy("o-...", "ssm")`. Validated: JSON,
   * with a Statement, within AWS's 20,480 characters; `${...}` only as IAM policy variables, which are
   * written literally (Terraform does not evaluate them).
   * @default AWS's default policy: full access for any principal that reaches the endpoint
   */
  readonly policy?: string;
}

/** A private hosted zone created for the endpoint. */
export interface CentralizedZone {
  /** Zone name, e.g. `ssm.ap-northeast-1.amazonaws.com`. */
  readonly name: string;
  readonly zone: Route53Zone;
  /** Token of the zone id; usable from another stack (cdktf passes it through remote state). */
  readonly zoneId: string;
}

/**
 * An interface VPC endpoint to an AWS service, shared with other VPCs through private hosted zones:
 * private DNS stays **off** (AWS's managed zone works only inside the endpoint's VPC, and would collide
 * with ours: provider issue #37783); one zone per DNS apex the service really uses, with apex and
 * wildcard alias records to the endpoint's regional DNS name.
 *
 * The zones are created with the hub VPC and `ignore_changes = [vpc]`: spokes join through separate
 * associations, which must not show as drift (provider issues #7946, #14872, #33071).
 */
export class CentralizedEndpoint extends Construct {
  readonly endpoint: VpcEndpoint;
  /** Token of the endpoint id. */
  readonly endpointId: string;
  /** Token of the endpoint's regional DNS name, e.g. `vpce-0abc-xyz.ssm.ap-northeast-1.vpce.amazonaws.com` (S3: `*.vpce-...`). */
  readonly regionalDnsName: string;
  /** Token of the hosted zone id of the regional DNS name (the alias target's zone). */
  readonly regionalHostedZoneId: string;
  /** One entry per zone of `service.zones`, in that order. */
  readonly zones: readonly CentralizedZone[];

  constructor(scope: Construct, id: string, props: CentralizedEndpointProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.subnetIds.length === 0) problems.push("subnetIds is empty: the endpoint needs at least one subnet");
    if (props.securityGroupIds.length === 0) problems.push("securityGroupIds is empty: an endpoint without a security group admits nothing");
    if (props.policy !== undefined) problems.push(...policyProblems(props.policy).map((p) => `policy ${p}`));
    throwIfProblems(this, problems);
    const { service } = props;

    this.endpoint = named(
      new VpcEndpoint(this, "endpoint", {
        provider: props.provider,
        vpcId: props.vpcId,
        serviceName: service.serviceName,
        vpcEndpointType: "Interface",
        privateDnsEnabled: false,
        subnetIds: [...props.subnetIds],
        securityGroupIds: [...props.securityGroupIds],
        // Policy variables (${aws:PrincipalAccount}) are the policy's, not Terraform's: written literally.
        policy: props.policy === undefined ? undefined : escapeTemplate(compactPolicy(props.policy)),
        tags: { Name: `${props.hubName}-${service.short}` },
      }),
      service.short,
    );
    this.endpointId = this.endpoint.id;
    // dns_entry[0] is the regional name; the others are zonal.
    const regional = this.endpoint.dnsEntry.get(0);
    this.regionalDnsName = regional.dnsName;
    this.regionalHostedZoneId = regional.hostedZoneId;

    this.zones = service.zones.map((plan) => {
      const zone = named(
        new Route53Zone(this, `zone-${plan.name}`, {
          provider: props.provider,
          name: plan.name,
          comment: `${service.serviceName} through the ${props.hubName} hub endpoint (privatelink-cdktf)`,
          vpc: [{ vpcId: props.vpcId, vpcRegion: props.vpcRegion }],
          lifecycle: { ignoreChanges: ["vpc"] },
          tags: { Name: plan.name },
        }),
        plan.name,
      );
      for (const recordName of plan.recordNames) {
        named(
          new Route53Record(this, `record-${recordName}`, {
            provider: props.provider,
            zoneId: zone.zoneId,
            name: recordName,
            type: "A",
            alias: {
              name: regional.dnsName,
              zoneId: regional.hostedZoneId,
              evaluateTargetHealth: false,
            },
          }),
          recordLogicalName(recordName),
        );
      }
      return { name: plan.name, zone, zoneId: zone.zoneId };
    });
  }
}
