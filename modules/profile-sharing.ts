import { Construct } from "constructs";
import { TerraformProvider, Token } from "../framework/core";
import { RamPrincipalAssociation, RamResourceAssociation, RamResourceShare, RamResourceShareAccepter, Route53ProfilesAssociation, Route53ProfilesProfile, Route53ProfilesResourceAssociation } from "../framework/aws";
import { ACCOUNT_ID, ORGANIZATION_PRINCIPAL, VPC_ID } from "../aws/patterns";
import { throwIfProblems } from "./errors";
import { named } from "./naming";

/** A name Route 53 Profiles accepts (`[a-zA-Z0-9\-_' ']+`, at most 64, not all digits): dots become dashes. */
export function profileName(text: string): string {
  const cleaned = text.replace(/[^a-zA-Z0-9\-_ ]/g, "-").slice(0, 64);
  return /^[0-9]+$/.test(cleaned) ? `p-${cleaned}`.slice(0, 64) : cleaned;
}

export interface ProfileZone {
  /** Zone name: names the resource association (`aws_route53profiles_resource_association.<zone>`). */
  readonly name: string;
  /** ARN of the private hosted zone (`aws_route53_zone.arn`), a token in practice. */
  readonly zoneArn: string;
}

export interface ProfileShareProps {
  /** Provider of the hub's account, in the Profile's region (a Profile serves VPCs of its own region only). */
  readonly provider: TerraformProvider;
  /** Profile name; validated against what Route 53 Profiles accepts. */
  readonly name: string;
  /** The zones the Profile carries; each becomes one resource association. At least one. */
  readonly zones: readonly ProfileZone[];
  /**
   * RAM principals the Profile is shared with: 12-digit account ids (each accepts an invitation), or an
   * organization or OU ARN (no invitation, with RAM sharing enabled in the organization); both may be mixed
   * (see `sharedByInvitation`).
   * An empty list shares with no one (the hub's own account can associate without a share).
   */
  readonly shareWith: readonly string[];
}

/**
 * Whether an account reaches a Profile shared with `shareWith` by accepting a RAM invitation: the one rule,
 * used by the share and by every spoke. An account listed by its id is invited (and must accept); an account
 * reached only through an organization or OU principal is not (RAM sharing within the organization). So, with
 * an organization ARN, list by id only the accounts outside the organization: a member listed by id gets no
 * invitation from AWS, and its acceptance would find none.
 */
export function sharedByInvitation(shareWith: readonly string[], accountId: string): boolean {
  return shareWith.some((p) => ACCOUNT_ID.test(p) && p === accountId);
}

/**
 * A Route 53 Profile carrying the hub's private hosted zones, shared through AWS RAM with the default
 * read-only permission (`AWSRAMPermissionRoute53ProfileAllowAssociation`): consumers can associate
 * their VPCs with it, never add resources to it. External principals are allowed only when account ids
 * are listed (an organization or OU needs none).
 */
export class ProfileShare extends Construct {
  readonly profile: Route53ProfilesProfile;
  /** Token of the Profile id. */
  readonly profileId: string;
  /** Token of the RAM share's ARN; undefined when shared with no one. */
  readonly shareArn?: string;
  /** Some principals are account ids, which accept an invitation (sharedByInvitation); false: organizations or OUs only. */
  readonly invitations: boolean;

  constructor(scope: Construct, id: string, props: ProfileShareProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!Token.isUnresolved(props.name) && (props.name.length === 0 || props.name.length > 64 || !/^[a-zA-Z0-9\-_ ]+$/.test(props.name) || /^[0-9]+$/.test(props.name))) {
      problems.push(`name "${props.name}" is not a Profile name: 1 to 64 of letters, digits, - _ and space, not only digits (profileName() makes one)`);
    }
    if (props.zones.length === 0) problems.push("zones must list at least one zone");
    for (const p of props.shareWith) {
      if (!Token.isUnresolved(p) && !ACCOUNT_ID.test(p) && !ORGANIZATION_PRINCIPAL.test(p)) {
        problems.push(`shareWith entry "${p}" is neither a 12-digit account id nor an organization or OU ARN`);
      }
    }
    throwIfProblems(this, problems);

    this.profile = named(new Route53ProfilesProfile(this, "profile", { provider: props.provider, name: props.name }), props.name);
    this.profileId = this.profile.id;
    for (const zone of props.zones) {
      named(
        new Route53ProfilesResourceAssociation(this, `zone-${zone.name}`, {
          provider: props.provider,
          name: profileName(zone.name),
          profileId: this.profile.id,
          resourceArn: zone.zoneArn,
        }),
        zone.name,
      );
    }
    this.invitations = props.shareWith.some((p) => ACCOUNT_ID.test(p));
    if (props.shareWith.length > 0) {
      const share = named(
        new RamResourceShare(this, "share", { provider: props.provider, name: props.name, allowExternalPrincipals: this.invitations }),
        props.name,
      );
      named(new RamResourceAssociation(this, "shared-profile", { provider: props.provider, resourceArn: this.profile.arn, resourceShareArn: share.arn }), props.name);
      for (const principal of props.shareWith) {
        named(new RamPrincipalAssociation(this, `principal-${principal}`, { provider: props.provider, principal, resourceShareArn: share.arn }), principal);
      }
      this.shareArn = share.arn;
    }
  }
}

export interface ProfileAssociationProps {
  /** Provider of the VPC's account, in the Profile's region. */
  readonly provider: TerraformProvider;
  /** Token of the Profile id (from the hub stack's `profile_id` output). */
  readonly profileId: string;
  /** VPC to associate. Validated: a VPC id or a token. */
  readonly vpcId: string;
  /** Association name; made acceptable with `profileName()`. */
  readonly name: string;
  /**
   * ARN of the RAM share to accept first (a VPC of another account, shared by account id).
   * @default - no acceptance: same account, or shared with an organization or OU
   */
  readonly acceptShareArn?: string;
}

/**
 * A VPC associated with a (shared) Route 53 Profile: one association carries every zone of the Profile.
 * A VPC takes one Profile at most (AWS's hard limit; the topology validation checks it).
 */
export class ProfileAssociation extends Construct {
  readonly association: Route53ProfilesAssociation;
  readonly accepter?: RamResourceShareAccepter;

  constructor(scope: Construct, id: string, props: ProfileAssociationProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.vpcId) && !VPC_ID.test(props.vpcId)) throwIfProblems(this, [`vpcId "${props.vpcId}" is not a VPC id (vpc-<hex>)`]);
    if (props.acceptShareArn !== undefined) {
      this.accepter = named(new RamResourceShareAccepter(this, "accept", { provider: props.provider, shareArn: props.acceptShareArn }), "profile_share");
    }
    this.association = named(
      new Route53ProfilesAssociation(this, "association", {
        provider: props.provider,
        name: profileName(props.name),
        profileId: props.profileId,
        resourceId: props.vpcId,
        dependsOn: this.accepter ? [this.accepter] : undefined,
      }),
      "profile",
    );
  }
}
