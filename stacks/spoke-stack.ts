import { Construct } from "constructs";
import { TerraformOutput } from "../framework/core";
import { DataAwsVpc } from "../framework/aws";
import { ProfileAssociation, sharedByInvitation } from "../modules/profile-sharing";
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
  /** Output `associated_zones`: the hub's zones this VPC joins, by name. */
  readonly associatedZones: TerraformOutput;
  /** The VPC's association with its hub's Route 53 Profile (profile mode). */
  readonly profileAssociation?: ProfileAssociation;
  private readonly handshakeScript?: string;
  private readonly hubOutputs: ReturnType<PrivateLinkStack["upstream"]>;
  private readonly vpcIdRef: string;

  constructor(scope: Construct, model: TopologyModel, spoke: SpokeModel, hub: HubStack, options: SpokeStackOptions = {}) {
    super(scope, spoke.stackName, model);
    this.spoke = spoke;
    this.handshakeScript = options.handshakeScript;
    const hubVpc = spoke.hub.vpc;
    const vpcProvider = this.provider(spoke.vpc.account, spoke.vpc.region);
    // Plan-time check that the VPC exists in that account and region and the deploy role can see it.
    const vpc = new DataAwsVpc(this, "spoke-vpc", { provider: vpcProvider, id: spoke.vpc.vpcId });
    vpc.overrideLogicalId("spoke");
    const crossAccount = spoke.vpc.account.id !== hubVpc.account.id;
    const hubOutputs = this.upstream(hub);
    this.hubOutputs = hubOutputs;
    this.vpcIdRef = vpc.id;

    const joined: Record<string, string> = {};
    if (spoke.association === "profile") {
      // One association carries every zone of the hub's Profile. A VPC of another account accepts the RAM
      // share first when its account is invited (listed by id; see sharedByInvitation).
      const byInvitation = crossAccount && sharedByInvitation(spoke.hub.shareWith, spoke.vpc.account.id);
      const missing = `${hub.stackName} has no Route 53 Profile in its state yet: apply ${hub.stackName} first (privatelink deploy applies stacks in dependency order). Nothing was associated.`;
      const association = new ProfileAssociation(this, "profile", {
        provider: vpcProvider,
        profileId: hubOutputs.value("profile_id"),
        vpcId: vpc.id,
        name: spoke.stackName,
        acceptShareArn: byInvitation ? hubOutputs.value("profile_share_arn", undefined, "arn") : undefined,
      });
      hubOutputs.require(association.accepter ?? association.association, "profile_id", undefined, missing);
      this.profileAssociation = association;
      for (const zone of hub.zones) joined[zone.name] = hubOutputs.value("zone_ids", zone.name);
      this.associatedZones = new TerraformOutput(this, "associated_zones", {
        description: `Hub zones VPC ${spoke.vpc.vpcId} (${spoke.vpc.region}) resolves through the hub's Route 53 Profile, by name.`,
        value: joined,
      });
      new TerraformOutput(this, "profile_association_id", { value: association.association.id });
      return;
    }
    for (const zone of hub.zones) {
      const zoneId = hubOutputs.value("zone_ids", zone.name);
      joined[zone.name] = zoneId;
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
        hubOutputs.require(pair.authorization ?? pair.association, "zone_ids", zone.name, this.zoneMissing(zone.name));
      } else {
        this.scriptPair(zone.name);
      }
    }
    this.associatedZones = new TerraformOutput(this, "associated_zones", {
      description: `Hub zones joined by VPC ${spoke.vpc.vpcId} (${spoke.vpc.region}), by name.`,
      value: joined,
    });
  }

  /** What an apply says when the hub's state lacks the zone (the pair's precondition). */
  private zoneMissing(zoneName: string): string {
    const hub = this.spoke.hub.stackName;
    return `${hub} has no zone ${zoneName} in its state yet: apply ${hub} first (privatelink deploy applies stacks in dependency order). Nothing was associated.`;
  }

  /** One (zone, VPC) pair joined through the handshake script. */
  private scriptPair(zoneName: string): void {
    const hubVpc = this.spoke.hub.vpc;
    const pair = new ZoneAssociationScript(this, `zone-${zoneName}`, {
      script: HandshakeScript.of(this, this.handshakeScript),
      zoneId: this.hubOutputs.value("zone_ids", zoneName),
      zoneName,
      vpcId: this.vpcIdRef,
      vpcRegion: this.spoke.vpc.region,
      zoneRoleArn: hubVpc.account.deployRoleArn,
      vpcRoleArn: this.spoke.vpc.account.deployRoleArn,
      environment: this.model.target.kind === "local" ? emulatorEnvironment(this.model.target.endpoint) : undefined,
    });
    this.hubOutputs.require(pair.resource, "zone_ids", zoneName, this.zoneMissing(zoneName));
  }

  /**
   * Switching to the hub's Route 53 Profile: keeps the VPC's script pairs as they are until the Profile
   * association is in the state (see synth/estate.ts, `waiting`); the synth after that apply retires them.
   */
  keepPairs(zones: readonly string[]): void {
    for (const zone of zones) this.scriptPair(zone);
  }

  /** Keeps pairs removed from the topology (script mode) until their disassociate has run (see synth/estate.ts). */
  retirePairs(zones: readonly string[]): void {
    addRetiredPairs(this, {
      zones,
      vpcId: this.spoke.vpc.vpcId,
      vpcRegion: this.spoke.vpc.region,
      zoneRoleArn: this.spoke.hub.vpc.account.deployRoleArn,
      vpcRoleArn: this.spoke.vpc.account.deployRoleArn,
      model: this.model,
      handshakeScript: this.handshakeScript,
    });
  }
}

export interface RetiredPairsProps {
  /** Zone names of the pairs removed from the topology that the state may still hold. */
  readonly zones: readonly string[];
  /** Region of the spoke's VPC as recorded. */
  readonly vpcRegion: string;
  /** The VPC the pairs joined, as recorded. */
  readonly vpcId: string;
  /** Roles the handshake ran with, as recorded (their presence shapes the disassociate's environment). */
  readonly zoneRoleArn: string;
  readonly vpcRoleArn: string;
  /** Where the handshake's calls go (an emulator) or AWS. */
  readonly model: TopologyModel;
  readonly handshakeScript?: string;
}

/**
 * Script-mode pairs kept with `count = 0` after their removal from the topology (see synth/estate.ts):
 * the next apply runs each pair's disassociate with the values of the state, then the block can go.
 */
export function addRetiredPairs(stack: PrivateLinkStack, props: RetiredPairsProps): void {
  for (const zone of props.zones) {
    new ZoneAssociationScript(stack, `retired-zone-${zone}`, {
      script: HandshakeScript.of(stack, props.handshakeScript),
      zoneId: "(retired: the state's value is used)",
      zoneName: zone,
      vpcId: props.vpcId,
      vpcRegion: props.vpcRegion,
      zoneRoleArn: props.zoneRoleArn,
      vpcRoleArn: props.vpcRoleArn,
      environment: props.model.target.kind === "local" ? emulatorEnvironment(props.model.target.endpoint) : undefined,
      retired: true,
    });
  }
}

/** The SDK's standard variables that point the handshake at an emulator (fixed dummy credentials). */
export function emulatorEnvironment(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
}
