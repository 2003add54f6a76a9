import { Construct } from "constructs";
import { TerraformLocal } from "../framework/core";
import { TopologyModel } from "../topology/model";
import { PrivateLinkStack } from "./base-stack";
import { addRetiredPairs } from "./spoke-stack";

/** What a retired stack needs of the record (synth/estate.ts keeps it). */
export interface RetiredStackProps {
  /** The role the stack had: hub, spoke, provider or consumer. */
  readonly role: string;
  /** The providers its state refers to (same aliases, accounts and regions). */
  readonly providers: ReadonlyArray<{ readonly alias: string; readonly account: string; readonly accountId: string; readonly roleArn: string; readonly region: string }>;
  /** The VPC it worked in. */
  readonly vpcId: string;
  /** A spoke: how it associated, and which script-mode pairs its state may hold. */
  readonly spoke?: {
    readonly association: "script" | "native" | "profile";
    readonly vpcRegion: string;
    readonly zoneRoleArn: string;
    readonly vpcRoleArn: string;
    readonly pairs: readonly string[];
    readonly retiredPairs?: readonly string[];
  };
  /** Path of the phz-handshake bundle. @default - the packaged bundle */
  readonly handshakeScript?: string;
}

/**
 * A stack removed from the topology whose state may still hold resources: the same backend and
 * providers, no resources. An apply of it destroys what its state holds; for a spoke that associated
 * through the script, its pairs stay with `count = 0` so each disassociate runs. Synth stops writing it
 * once its state is empty.
 */
export class RetiredStack extends PrivateLinkStack {
  readonly role: string;

  constructor(scope: Construct, model: TopologyModel, stackName: string, props: RetiredStackProps) {
    super(scope, stackName, model);
    this.role = props.role;
    for (const p of props.providers) this.provider({ name: p.account, id: p.accountId, deployRoleArn: p.roleArn }, p.region);
    const spoke = props.spoke;
    if (spoke) {
      const zones = [...new Set([...(spoke.association === "script" ? spoke.pairs : []), ...(spoke.retiredPairs ?? [])])].sort();
      addRetiredPairs(this, { zones, vpcId: props.vpcId, vpcRegion: spoke.vpcRegion, zoneRoleArn: spoke.zoneRoleArn, vpcRoleArn: spoke.vpcRoleArn, model, handshakeScript: props.handshakeScript });
    }
    new TerraformLocal(this, "retired", `${props.role} ${stackName} was removed from the topology: an apply destroys what its state still holds`).overrideLogicalId("retired");
  }
}
