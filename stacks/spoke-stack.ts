import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { HandshakeScript, ZoneAssociationNative, ZoneAssociationScript } from "../modules/zone-sharing";
import { SpokeModel, TopologyModel } from "../topology/model";
import { PrivateLinkStack } from "./base-stack";
import { HubStack } from "./hub-stack";

export interface SpokeStackOptions {
  /**
   * Path of the phz-handshake bundle (script mode).
   * @default - the bundle this package was built with
   */
  readonly handshakeScript?: string;
}

/**
 * A spoke VPC joining every zone of its hub: one association per (zone, VPC) pair, so adding or
 * removing a service or a spoke touches only its own pairs. Zone ids come from the hub stack's
 * `zone_ids` output, read from its state (`UpstreamOutputs`): the spoke plans before the hub is applied
 * or before it has a new zone (placeholders), and its apply stops until it has them.
 */
export class SpokeStack extends PrivateLinkStack {
  readonly spoke: SpokeModel;

  constructor(scope: Construct, model: TopologyModel, spoke: SpokeModel, hub: HubStack, options: SpokeStackOptions = {}) {
    super(scope, spoke.stackName, model);
    this.spoke = spoke;
    const hubVpc = spoke.hub.vpc;
    const vpcProvider = this.provider(spoke.vpc.account, spoke.vpc.region);
    // Plan-time check that the VPC exists in that account and region and the deploy role can see it.
    const vpc = new DataAwsVpc(this, "spoke-vpc", { provider: vpcProvider, id: spoke.vpc.vpcId });
    vpc.overrideLogicalId("spoke");
    const crossAccount = spoke.vpc.account.id !== hubVpc.account.id;
    const hubOutputs = this.upstream(hub);

    const joined: Record<string, string> = {};
    for (const zone of hub.zones) {
      const zoneId = hubOutputs.value("zone_ids", zone.name);
      joined[zone.name] = zoneId;
      const missing = `${hub.stackName} has no zone ${zone.name} in its state yet: apply ${hub.stackName} first (privatelink deploy applies stacks in dependency order). Nothing was associated.`;
      if (spoke.association === "native") {
        const pair = new ZoneAssociationNative(this, `zone-${zone.name}`, {
          zoneProvider: this.provider(hubVpc.account, hubVpc.region),
          vpcProvider,
          zoneId,
          zoneName: zone.name,
          vpcId: vpc.id,
          vpcRegion: spoke.vpc.region,
          crossAccount,
        });
        hubOutputs.require(pair.authorization ?? pair.association, "zone_ids", zone.name, missing);
      } else {
        const pair = new ZoneAssociationScript(this, `zone-${zone.name}`, {
          script: HandshakeScript.of(this, options.handshakeScript),
          zoneId,
          zoneName: zone.name,
          vpcId: vpc.id,
          vpcRegion: spoke.vpc.region,
          zoneRoleArn: hubVpc.account.deployRoleArn,
          vpcRoleArn: spoke.vpc.account.deployRoleArn,
          environment: model.target.kind === "local" ? emulatorEnvironment(model.target.endpoint) : undefined,
        });
        hubOutputs.require(pair.resource, "zone_ids", zone.name, missing);
      }
    }
    new TerraformOutput(this, "associated_zones", {
      description: `Hub zones joined by VPC ${spoke.vpc.vpcId} (${spoke.vpc.region}), by name.`,
      value: joined,
    });
  }
}

/** The SDK's standard variables that point the handshake at an emulator (fixed dummy credentials). */
export function emulatorEnvironment(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
}
