import { Construct } from "constructs";
import { AssetType, TerraformAsset, TerraformProvider, TerraformStack, Token } from "../framework/core";
import { Route53VpcAssociationAuthorization, Route53ZoneAssociation } from "../framework/aws";
import { VPC_ID } from "../aws/patterns";
import { throwIfProblems } from "./errors";
import { named } from "./naming";
import { handshakeBundle } from "./package-assets";
import { TerraformData } from "./terraform-data";

/**
 * Version of the handshake's command-line contract (actions, PHZ_* variables). It names the asset's
 * directory, so the path recorded for destroy-time provisioners stays valid across releases that keep
 * the contract; bump it only when the contract changes.
 */
export const HANDSHAKE_PROTOCOL = "protocol-1";

/**
 * A stack that places files in its directory itself, after the synth (this package's `synthesize` does, with
 * hard links: one copy of the handshake bundle per output, not one per spoke). Without it, a file is a
 * cdktf `TerraformAsset`, copied by the framework's synth.
 */
export interface StackFiles {
  /** Registers `source` to be placed at `relativePath` in the stack's directory; returns `relativePath`. */
  stackFile(relativePath: string, source: string): string;
}

function placesOwnFiles(stack: TerraformStack): stack is TerraformStack & StackFiles {
  return typeof (stack as Partial<StackFiles>).stackFile === "function" && (stack as { placesFiles?: boolean }).placesFiles === true;
}

/**
 * The bundled `phz-handshake` script (AWS SDK included), placed in the stack's directory so a pipeline
 * with only `node` and `terraform` can apply the stack. One per stack, shared by its associations.
 */
export class HandshakeScript {
  private static readonly perStack = new WeakMap<TerraformStack, HandshakeScript>();
  /** Path of the script relative to the stack's directory: `assets/phz-handshake/<protocol>/phz-handshake.cjs`. */
  readonly path: string;
  /** The framework's asset that copies the script (absent when the stack places its files itself). */
  readonly asset?: TerraformAsset;

  /**
   * The stack's script, created on first use.
   * @param bundlePath the bundle to ship; default: the one this package was built with (`dist/assets/phz-handshake.cjs`)
   */
  static of(scope: Construct, bundlePath?: string): HandshakeScript {
    const stack = TerraformStack.of(scope);
    let script = HandshakeScript.perStack.get(stack);
    if (!script) {
      const source = bundlePath ?? handshakeBundle();
      // The same path as the TerraformAsset's (assets/<id>/<hash>/<file>): the configuration does not depend on who places it.
      script = placesOwnFiles(stack)
        ? new HandshakeScript(stack.stackFile(`assets/phz-handshake/${HANDSHAKE_PROTOCOL}/phz-handshake.cjs`, source))
        : new HandshakeScript(new TerraformAsset(stack, "phz-handshake", { path: source, type: AssetType.FILE, assetHash: HANDSHAKE_PROTOCOL }));
      HandshakeScript.perStack.set(stack, script);
    }
    return script;
  }

  private constructor(placed: TerraformAsset | string) {
    if (typeof placed === "string") {
      this.path = placed;
    } else {
      this.asset = placed;
      this.path = placed.path;
    }
  }
}

export interface ZoneAssociationScriptProps {
  /**
   * The handshake script the pair runs.
   * @default - `HandshakeScript.of(this)`: the bundle of this package, shipped once per stack
   */
  readonly script?: HandshakeScript;
  /** Private hosted zone id; may be a token from another stack (cdktf passes it through remote state). */
  readonly zoneId: string;
  /** Zone name: names the resource's address (`terraform_data.phz_<zone>`) and shows in the plan. */
  readonly zoneName: string;
  /** VPC to join. Validated: a VPC id (`vpc-<hex>`) or a token. */
  readonly vpcId: string;
  /** Region of that VPC (the zone may be elsewhere: cross-region association). */
  readonly vpcRegion: string;
  /**
   * Role in the zone owner's account (creates and deletes the authorization).
   * @default - the credentials Terraform runs with own the zone
   */
  readonly zoneRoleArn?: string;
  /**
   * Role in the VPC owner's account (associates and disassociates).
   * @default - the credentials Terraform runs with own the VPC
   */
  readonly vpcRoleArn?: string;
  /**
   * Extra environment for the script, e.g. emulator endpoints (`AWS_ENDPOINT_URL`). Never secrets: it is stored in the state.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The pair was removed from the topology but may still be in the state: the block stays with
   * `count = 0`, so Terraform runs its destroy-time disassociate (it skips the provisioners of a block
   * that is gone). Values then only need the right shape; the script reads the state's.
   * @default false
   */
  readonly retired?: boolean;
}

/**
 * One (zone, VPC) pair joined through the handshake script: a `terraform_data` whose create-time
 * provisioner runs `phz-handshake associate` and whose destroy-time provisioner runs `disassociate`.
 *
 * - Everything the destroy step needs is in `input` (destroy provisioners may only reference `self`);
 *   ids and role ARNs only, never a credential.
 * - `triggers_replace` holds the pair itself: changing a role ARN updates the state in place and
 *   re-runs nothing; a new zone id replaces the pair (disassociate the old zone, then associate).
 * - The script runs through `node` directly (no shell), so quoting and the platform's shell do not matter.
 */
export class ZoneAssociationScript extends Construct {
  readonly resource: TerraformData;

  constructor(scope: Construct, id: string, props: ZoneAssociationScriptProps) {
    super(scope, id);
    throwIfProblems(this, Token.isUnresolved(props.vpcId) || VPC_ID.test(props.vpcId) ? [] : [`vpcId ${props.vpcId} is not a VPC id (vpc-<8 or 17 hex digits>)`]);
    const script = props.script ?? HandshakeScript.of(this);
    const input: Record<string, string> = {
      zone_id: props.zoneId,
      zone_name: props.zoneName,
      vpc_id: props.vpcId,
      vpc_region: props.vpcRegion,
      ...(props.zoneRoleArn ? { zone_role_arn: props.zoneRoleArn } : {}),
      ...(props.vpcRoleArn ? { vpc_role_arn: props.vpcRoleArn } : {}),
    };
    const environment = {
      PHZ_ZONE_ID: "${self.input.zone_id}",
      PHZ_ZONE_NAME: "${self.input.zone_name}",
      PHZ_VPC_ID: "${self.input.vpc_id}",
      PHZ_VPC_REGION: "${self.input.vpc_region}",
      ...(props.zoneRoleArn ? { PHZ_ZONE_ROLE_ARN: "${self.input.zone_role_arn}" } : {}),
      ...(props.vpcRoleArn ? { PHZ_VPC_ROLE_ARN: "${self.input.vpc_role_arn}" } : {}),
      ...props.environment,
    };
    const interpreter = ["node", `\${path.module}/${script.path}`];
    this.resource = named(
      new TerraformData(this, "pair", {
        input,
        triggersReplace: { zone_id: props.zoneId, vpc_id: props.vpcId, vpc_region: props.vpcRegion },
        provisioners: [
          { type: "local-exec", interpreter, command: "associate", environment },
          { type: "local-exec", when: "destroy", interpreter, command: "disassociate", environment },
        ],
      }),
      "phz",
      props.zoneName,
    );
    if (props.retired) this.resource.addOverride("count", 0);
  }
}

export interface ZoneAssociationNativeProps {
  /** Provider of the zone owner's account (creates the authorization). */
  readonly zoneProvider: TerraformProvider;
  /** Provider of the VPC owner's account (creates the association). */
  readonly vpcProvider: TerraformProvider;
  /** Private hosted zone id; may be a token from another stack. */
  readonly zoneId: string;
  /** Zone name: names the resources' addresses. */
  readonly zoneName: string;
  /** VPC to join. */
  readonly vpcId: string;
  /** Region of that VPC. */
  readonly vpcRegion: string;
  /** Zone and VPC are in different accounts: an authorization is needed (and stays, see the class comment). */
  readonly crossAccount: boolean;
}

/**
 * The same pair with Terraform resources only, for organisations that forbid local-exec:
 * `aws_route53_vpc_association_authorization` (zone owner) + `aws_route53_zone_association` (VPC owner).
 * Trade-off: Terraform cannot model a temporary authorization, so it **stays** as long as the pair
 * exists (provider issue #25438); a VPC id reused later could be associated without a new approval.
 */
export class ZoneAssociationNative extends Construct {
  readonly authorization?: Route53VpcAssociationAuthorization;
  readonly association: Route53ZoneAssociation;

  constructor(scope: Construct, id: string, props: ZoneAssociationNativeProps) {
    super(scope, id);
    if (props.crossAccount) {
      this.authorization = named(
        new Route53VpcAssociationAuthorization(this, "authorization", {
          provider: props.zoneProvider,
          zoneId: props.zoneId,
          vpcId: props.vpcId,
          vpcRegion: props.vpcRegion,
        }),
        "authorize",
        props.zoneName,
      );
    }
    this.association = named(
      new Route53ZoneAssociation(this, "association", {
        provider: props.vpcProvider,
        zoneId: this.authorization ? this.authorization.zoneId : props.zoneId,
        vpcId: this.authorization ? this.authorization.vpcId : props.vpcId,
        vpcRegion: props.vpcRegion,
      }),
      "associate",
      props.zoneName,
    );
  }
}
